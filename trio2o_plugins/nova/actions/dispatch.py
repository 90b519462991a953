"""``POST /v2.1/servers/{server_id}/action``: one handler per body key.

The checks run in Nova's order, so a request with several faults gets
the error Nova would give: Content-Type (415), body shape (400/404),
action key (400), the action's microversion range (404), its body schema
(400), the server's routing (404) and pod (503), then the handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import ActionDispatcher
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import ServiceDriver
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.actions.base import PodAction

#: the entry-point group of server action handlers
GROUP = 'trio2o.nova.server_actions'
PATH = '/v2.1/servers/{server_id}/action'
MALFORMED = 'Malformed request body'
NOT_FOUND = 'The resource could not be found.'
#: the actions whose body may name a target host
HOST_ACTIONS = ('migrate', 'os-migrateLive', 'evacuate')


def action_key(body: Any) -> str:
    """Return the action named by a decoded JSON body, as Nova reads it.

    :raises BadRequest: an object, list or string without exactly one
        item (``Malformed request body``).
    :raises NotFound: a JSON value that is not an object.
    """
    if isinstance(body, (dict, list, str)) and len(body) != 1:
        raise BadRequest(MALFORMED)
    if not isinstance(body, dict):
        raise NotFound(NOT_FOUND)
    key: str = next(iter(body))
    return key


class ServerActions(ActionDispatcher[ServerActionHandler]):
    """Routes server actions to the handlers enabled in ``[nova]
    enabled_server_actions`` (every installed one when unset).

    :raises PluginLoadError: an enabled handler is missing, broken or not
        a :class:`ServerActionHandler` (start-up stops).
    """

    def __init__(self, driver: ServiceDriver) -> None:
        super().__init__(driver, PATH, GROUP,
                         driver.gateway.conf.nova.enabled_server_actions,
                         ServerActionHandler)

    def read(self, request: webob.Request) -> tuple[str, Mapping[str, Any]]:
        """The action and its body; a target ``host`` named as the gateway
        shows hosts (``<host>@<pod name>``) is named as its pod knows
        it."""
        body = request.json_body_or_none()
        if not request.body:
            raise BadRequest(MALFORMED)
        key = action_key(body)
        args = body.get(key) if key in HOST_ACTIONS else None
        if isinstance(args, dict) and isinstance(args.get('host'), str):
            host, sep, pod_name = args['host'].rpartition('@')
            if sep and pod_name in {p.name for p in self.gateway.list_pods()}:
                body = {**body, key: {**args, 'host': host}}
        return key, body

    def unknown(self, key: str) -> BadRequest:
        return BadRequest(f'There is no such action: {key}')

    def routing(self, handler: ServerActionHandler,
                request: webob.Request, resource_id: str,
                body: Mapping[str, Any]) -> Routing:
        """Return the server's routing, after the checks a built-in
        handler makes first, with its message for an unknown server."""
        if not isinstance(handler, PodAction):
            return forward.server_routing(self.gateway, request, resource_id)
        handler.before_lookup(resource_id, body)
        try:
            return forward.server_routing(self.gateway, request, resource_id)
        except NotFound:
            raise NotFound(handler.not_found.format(id=resource_id)) from None
