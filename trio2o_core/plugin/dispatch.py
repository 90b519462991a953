"""``POST .../{id}/action`` for every service: enabled handlers loaded
and checked, then one path per request (body read, action found, its
microversion range and schema checked, the resource routed, policy
enforced, the handler run, its result answered).

A service subclasses :class:`ActionDispatcher` for what it words its own
way: reading the action key from the body, the unknown-action error and
the resource's routing.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Generic
from typing import TypeVar

import webob

from trio2o_core.plugin import microversion
from trio2o_core.plugin import validation
from trio2o_core.plugin.actions import ActionContext
from trio2o_core.plugin.actions import ActionResult
from trio2o_core.plugin.actions import PodAnswer
from trio2o_core.plugin.actions import _ActionHandler
from trio2o_core.plugin.exceptions import BadRequest
from trio2o_core.plugin.exceptions import NotFound
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.service import json_response
from trio2o_core.plugin.types import Routing

H = TypeVar('H', bound=_ActionHandler)

#: the 404 message of an action outside the request's microversion
NOT_FOUND = 'The resource could not be found.'


@dataclasses.dataclass(frozen=True)
class ActionEntry(Generic[H]):
    """An enabled handler with its versions parsed and its schemas
    wrapped to validate the whole body (so messages name the key)."""

    handler: H
    min_version: APIVersion | None
    max_version: APIVersion | None
    schemas: tuple[tuple[APIVersion | None, APIVersion | None,
                         Mapping[str, Any]], ...]

    def check(self, version: APIVersion, body: Any) -> None:
        """Check the request's version and body against the handler.

        :raises NotFound: the action does not exist at ``version``.
        :raises BadRequest: the body fails the action's schema.
        """
        if not version.matches(self.min_version, self.max_version):
            raise NotFound(NOT_FOUND)
        for low, high, schema in self.schemas:
            if version.matches(low, high):
                validation.validate(schema, body)
                return


def _version(group: str, key: str, text: str | None) -> APIVersion | None:
    if text is None:
        return None
    try:
        return APIVersion.parse(text)
    except BadRequest:
        raise PluginLoadError(f'{group}: plugin {key!r} names the '
                              f'microversion {text!r}') from None


def load_actions(gateway: Gateway, group: str,
                 enabled: Iterable[str] | None,
                 kind: type) -> dict[str, ActionEntry[Any]]:
    """Load the enabled handlers of ``group`` (every installed one when
    ``enabled`` is None), keyed by action name.

    :raises PluginLoadError: a handler is missing, broken, not a
        ``kind`` or names a malformed microversion.
    """
    entries = {}
    for key, handler in gateway.load_plugins(group, enabled).items():
        if not (isinstance(handler, kind)
                and isinstance(handler, _ActionHandler)):
            raise PluginLoadError(f'{group}: plugin {key!r} is a '
                                  f'{type(handler).__name__}, not a '
                                  f'{kind.__name__}')
        schemas = tuple(
            (_version(group, key, low), _version(group, key, high),
             {'type': 'object', 'properties': {key: schema},
              'required': [key], 'additionalProperties': False})
            for low, high, schema in handler.schemas)
        entries[key] = ActionEntry(
            handler, _version(group, key, handler.min_version),
            _version(group, key, handler.max_version), schemas)
    return entries


def respond(ctx: ActionContext, result: ActionResult) -> webob.Response:
    """Turn a handler's result into the client's response, hrefs and
    zones as the gateway shows them.

    :raises PodFailed: a relayed pod answer is a 5xx other than 501/503.
    """
    pod = ctx.routing.pod
    if isinstance(result, PodAnswer):
        response = ctx.pods.relay(pod, result.response)
        response.headers.update(result.headers.items())
        return response
    headers = dict(result.headers)
    if 'Location' in headers:
        headers['Location'] = ctx.pods.translate(pod, headers['Location'])
    body = (None if result.body is None else
            ctx.pods.translate(pod, result.body))
    return json_response(body, result.status, headers)


class ActionDispatcher(abc.ABC, Generic[H]):
    """Serves ``POST path`` (a path with one parameter, the resource's
    id) with the handlers of ``group`` enabled in ``enabled`` (every
    installed one when None).

    :raises PluginLoadError: an enabled handler is missing, broken, not
        a ``kind`` or names a malformed microversion (start-up stops).
    """

    def __init__(self, driver: ServiceDriver, path: str, group: str,
                 enabled: Iterable[str] | None,
                 kind: type) -> None:
        self.driver = driver
        self.path = path
        self.gateway = driver.gateway
        self.actions: dict[str, ActionEntry[H]] = load_actions(
            self.gateway, group, enabled, kind)

    def routes(self) -> Sequence[Route]:
        """The action route."""
        def post(request: webob.Request, **params: str) -> webob.Response:
            (resource_id,) = params.values()
            return self.action(request, resource_id)
        return [Route(self.path, {'POST': post})]

    def action(self, request: webob.Request,
                 resource_id: str) -> webob.Response:
        """Run the action the body names on the resource.

        :raises PluginError: the first failing check, in this order: the
            body (:meth:`read`), the action key (:meth:`unknown`), its
            microversion range (404) and schema (400), the routing
            (:meth:`routing`), the handler's policy rule, then the
            handler's own errors.
        """
        key, body = self.read(request)
        action = self.actions.get(key)
        if action is None:
            raise self.unknown(key)
        version = microversion.of(request)
        action.check(version, body)
        handler = action.handler
        routing = self.routing(handler, request, resource_id, body)
        if handler.policy_rule:
            self.gateway.enforce(request.context, handler.policy_rule,
                                 {'project_id': routing.project_id})
        ctx = ActionContext(
            context=request.context, gateway=self.gateway, routing=routing,
            pods=self.driver.pods(request), microversion=str(version),
            request=request)
        return respond(ctx, handler.handle(ctx, body))

    @abc.abstractmethod
    def read(self, request: webob.Request) -> tuple[str, Mapping[str, Any]]:
        """Return the action key and the decoded body.

        :raises PluginError: the body is not one action, worded as the
            service words it.
        """

    @abc.abstractmethod
    def unknown(self, key: str) -> PluginError:
        """Return the service's error for an action it does not know."""

    @abc.abstractmethod
    def routing(self, handler: H, request: webob.Request,
                resource_id: str, body: Mapping[str, Any]) -> Routing:
        """Return the routing of the resource the caller may act on.

        :raises PluginError: unknown resource (404) or its pod down (503).
        """
