"""``POST /v3/volumes/{volume_id}/action``: one handler per body key.

The checks run in Cinder's order, so a request with several faults gets
the error Cinder would give: body and Content-Type (400/415), body shape
(400), action key (400), the action's microversion range (404), its
body schema (400), the volume's routing (404) and pod (503), then the
handler.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import UnsupportedMediaType
from trio2o_core.plugin import VolumeActionHandler
from trio2o_core.plugin import load_actions
from trio2o_core.plugin import microversion
from trio2o_core.plugin.dispatch import respond
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


def action_key(request: webob.Request) -> tuple[str, Any]:
    """Return the action the body names and the decoded body, as Cinder
    reads them.

    :raises BadRequest: no body or Content-Type (``There is no such
        action: None``), malformed JSON or not one key.
    :raises UnsupportedMediaType: a Content-Type other than JSON.
    """
    content_type = (request.content_type or '').lower()
    if not request.body or not content_type:
        raise no_such_action(None)
    if content_type not in JSON_TYPES:
        raise UnsupportedMediaType('Unsupported Content-Type')
    try:
        body = json.loads(request.body.decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(MALFORMED) from None
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest(MALFORMED)
    return next(iter(body)), body


class ActionDispatcher:
    """Routes volume actions to the handlers enabled in ``[cinder]
    enabled_volume_actions`` (every installed one when unset).

    :raises PluginLoadError: an enabled handler is missing, broken or not
        a :class:`VolumeActionHandler` (start-up stops).
    """

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway
        self.actions = load_actions(
            self.gateway, GROUP,
            self.gateway.conf.cinder.enabled_volume_actions,
            VolumeActionHandler)

    def routes(self) -> Sequence[Route]:
        return [Route(PATH, {'POST': self.action})]

    def action(self, request: webob.Request,
               volume_id: str) -> webob.Response:
        """Run the action the body names on the volume.

        :raises PluginError: the fault of the first failing check, in the
            order of the module's docstring.
        """
        key, body = action_key(request)
        action = self.actions.get(key)
        if action is None:
            raise no_such_action(key)
        version = microversion.of(request)
        action.check(version, body)
        routing = routed.VOLUME.routing(self.gateway, request, volume_id)
        handler = action.handler
        if handler.policy_rule:
            self.gateway.enforce(request.context, handler.policy_rule,
                                 {'project_id': routing.project_id})
        ctx = ActionContext(
            context=request.context, gateway=self.gateway, routing=routing,
            pods=self.service.pods(request), microversion=str(version),
            request=request)
        return respond(ctx, handler.handle(ctx, body))
