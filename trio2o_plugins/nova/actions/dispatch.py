"""``POST /v2.1/servers/{server_id}/action``: one handler per body key.

The checks run in Nova's order, so a request with several faults gets
the error Nova would give: Content-Type (415), body shape (400/404),
action key (400), the action's microversion range (404), its body schema
(400), the server's routing (404) and pod (503), then the handler.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PluginLoadError
from trio2o_core.plugin import Route
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin import microversion
from trio2o_core.plugin import validate
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.actions.base import PodAnswer

#: the entry-point group of server action handlers
GROUP = 'trio2o.nova.server_actions'
PATH = '/v2.1/servers/{server_id}/action'
MALFORMED = 'Malformed request body'
NOT_FOUND = 'The resource could not be found.'


@dataclasses.dataclass(frozen=True)
class _Action:
    """An enabled handler with its versions parsed and its schemas
    wrapped to validate the whole body (so messages name the key)."""

    handler: ServerActionHandler
    min_version: APIVersion | None
    max_version: APIVersion | None
    schemas: tuple[tuple[APIVersion | None, APIVersion | None,
                         Mapping[str, Any]], ...]

    def schema_for(self, version: APIVersion) -> Mapping[str, Any] | None:
        for low, high, schema in self.schemas:
            if version.matches(low, high):
                return schema
        return None


def _version(key: str, text: str | None) -> APIVersion | None:
    if text is None:
        return None
    try:
        return APIVersion.parse(text)
    except BadRequest:
        raise PluginLoadError(f'{GROUP}: plugin {key!r} names the '
                              f'microversion {text!r}') from None


def _action(key: str, handler: Any) -> _Action:
    if not isinstance(handler, ServerActionHandler):
        raise PluginLoadError(f'{GROUP}: plugin {key!r} is a '
                              f'{type(handler).__name__}, not a '
                              'ServerActionHandler')
    schemas = tuple(
        (_version(key, low), _version(key, high),
         {'type': 'object', 'properties': {key: schema},
          'required': [key], 'additionalProperties': False})
        for low, high, schema in handler.schemas)
    return _Action(handler, _version(key, handler.min_version),
                   _version(key, handler.max_version), schemas)


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


class ActionDispatcher:
    """Routes server actions to the handlers enabled in ``[nova]
    enabled_server_actions`` (every installed one when unset).

    :raises PluginLoadError: an enabled handler is missing, broken or not
        a :class:`ServerActionHandler` (start-up stops).
    """

    def __init__(self, service: ServiceDriver) -> None:
        self.gateway = service.gateway
        enabled = self.gateway.conf.nova.enabled_server_actions
        self.actions = {key: _action(key, handler) for key, handler
                        in self.gateway.load_plugins(GROUP, enabled).items()}

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
        if not version.matches(action.min_version, action.max_version):
            raise NotFound(NOT_FOUND)
        schema = action.schema_for(version)
        if schema is not None:
            validate(schema, body)
        handler = action.handler
        routing = self._routing(handler, request, server_id, body)
        if handler.policy_rule:
            self.gateway.enforce(request.context, handler.policy_rule,
                                 {'project_id': routing.project_id})
        ctx = ActionContext(
            context=request.context, gateway=self.gateway, routing=routing,
            pods=forward.pods(self.gateway, request),
            microversion=str(version), request=request)
        return self._respond(ctx, handler.handle(ctx, body))

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

    @staticmethod
    def _respond(ctx: ActionContext,
                 result: ActionResult) -> webob.Response:
        """Turn a handler's result into the client's response, hrefs and
        zones as the gateway shows them."""
        pod = ctx.routing.pod
        if isinstance(result, PodAnswer):
            response = ctx.pods.relay(pod, result.response)
            response.headers.update(result.headers.items())
            return response
        headers = dict(result.headers)
        if 'Location' in headers:
            headers['Location'] = ctx.pods.translate(pod,
                                                     headers['Location'])
        body = (None if result.body is None else
                ctx.pods.translate(pod, result.body))
        return json_response(body, result.status, headers)
