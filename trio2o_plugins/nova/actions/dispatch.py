"""``POST /v2.1/servers/{server_id}/action``: one handler per body key.

The checks run in Nova's order, so a request with several faults gets
the error Nova would give: Content-Type (415), body shape (400/404),
action key (400), the action's microversion range (404), its body schema
(400), the server's routing (404) and pod (503), then the handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Route
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import load_actions
from trio2o_core.plugin import microversion
from trio2o_core.plugin.dispatch import NOT_FOUND
from trio2o_core.plugin.dispatch import respond
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.actions.base import PodAction

#: the entry-point group of server action handlers
GROUP = 'trio2o.nova.server_actions'
PATH = '/v2.1/servers/{server_id}/action'
MALFORMED = 'Malformed request body'


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
    return next(iter(body))


class ActionDispatcher:
    """Routes server actions to the handlers enabled in ``[nova]
    enabled_server_actions`` (every installed one when unset).

    :raises PluginLoadError: an enabled handler is missing, broken or not
        a :class:`ServerActionHandler` (start-up stops).
    """

    def __init__(self, service: ServiceDriver) -> None:
        self.gateway = service.gateway
        self.actions = load_actions(
            self.gateway, GROUP, self.gateway.conf.nova.enabled_server_actions,
            ServerActionHandler)

    def routes(self) -> Sequence[Route]:
        return [Route(PATH, {'POST': self.action})]

    def action(self, request: webob.Request,
               server_id: str) -> webob.Response:
        """Run the action the body names on the server.

        :raises PluginError: the fault of the first failing check, in the
            order of the module's docstring.
        """
        body = request.json_body_or_none()
        if not request.body:
            raise BadRequest(MALFORMED)
        key = action_key(body)
        action = self.actions.get(key)
        if action is None:
            raise BadRequest(f'There is no such action: {key}')
        version = microversion.of(request)
        action.check(version, body)
        handler = action.handler
        routing = self._routing(handler, request, server_id, body)
        if handler.policy_rule:
            self.gateway.enforce(request.context, handler.policy_rule,
                                 {'project_id': routing.project_id})
        ctx = ActionContext(
            context=request.context, gateway=self.gateway, routing=routing,
            pods=forward.pods(self.gateway, request),
            microversion=str(version), request=request)
        return respond(ctx, handler.handle(ctx, body))

    def _routing(self, handler: ServerActionHandler, request: webob.Request,
                 server_id: str, body: Mapping[str, Any]) -> Routing:
        """Return the server's routing, after the checks a built-in
        handler makes first, with its message for an unknown server."""
        if not isinstance(handler, PodAction):
            return forward.server_routing(self.gateway, request, server_id)
        handler.before_lookup(server_id, body)
        try:
            return forward.server_routing(self.gateway, request, server_id)
        except NotFound:
            raise NotFound(handler.not_found.format(id=server_id)) from None
