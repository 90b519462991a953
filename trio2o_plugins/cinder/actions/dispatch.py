"""``POST /v3/volumes/{volume_id}/action``: one handler per body key.

The checks run in Cinder's order, so a request with several faults gets
the error Cinder would give: body and Content-Type (400/415), body shape
(400), action key (400), the action's microversion range (404), its
body schema (400), the volume's routing (404) and pod (503), then the
handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import ActionDispatcher
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import UnsupportedMediaType
from trio2o_core.plugin import VolumeActionHandler
from trio2o_plugins.cinder import routed

#: the entry-point group of volume action handlers
GROUP = 'trio2o.cinder.volume_actions'
PATH = '/v3/volumes/{volume_id}/action'
JSON_TYPES = ('application/json', 'application/vnd.openstack.volume+json')
MALFORMED = 'Malformed request body'


def no_such_action(key: str | None) -> BadRequest:
    """Cinder's 400 for an action it does not know."""
    return BadRequest(f'There is no such action: {key}. Verify the request '
                      'body and Content-Type header and try again.')


def action_key(request: webob.Request) -> tuple[str, dict[str, Any]]:
    """Return the action the body names and the decoded body, as Cinder
    reads them.

    :raises BadRequest: no body or Content-Type (``There is no such
        action: None``), malformed or too deeply nested JSON, or not one
        key.
    :raises UnsupportedMediaType: a Content-Type other than JSON.
    """
    content_type = (request.content_type or '').lower()
    if not request.body or not content_type:
        raise no_such_action(None)
    if content_type not in JSON_TYPES:
        raise UnsupportedMediaType('Unsupported Content-Type')
    body = request.json_body_or_none(JSON_TYPES)
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest(MALFORMED)
    return next(iter(body)), body


class VolumeActions(ActionDispatcher[VolumeActionHandler]):
    """Routes volume actions to the handlers enabled in ``[cinder]
    enabled_volume_actions`` (every installed one when unset).

    :raises PluginLoadError: an enabled handler is missing, broken or not
        a :class:`VolumeActionHandler` (start-up stops).
    """

    def __init__(self, driver: ServiceDriver) -> None:
        super().__init__(driver, PATH, GROUP,
                         driver.gateway.conf.cinder.enabled_volume_actions,
                         VolumeActionHandler)

    def read(self, request: webob.Request) -> tuple[str, Mapping[str, Any]]:
        return action_key(request)

    def unknown(self, key: str) -> BadRequest:
        return no_such_action(key)

    def routing(self, handler: VolumeActionHandler,
                request: webob.Request, resource_id: str,
                body: Mapping[str, Any]) -> Routing:
        return routed.VOLUME.routing(self.gateway, request, resource_id)
