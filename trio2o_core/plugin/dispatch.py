"""The service-neutral half of ``POST .../{id}/action``: enabled
handlers loaded and checked, a request's version and body checked
against its handler, and a handler's result turned into the answer.

Each service reads the action key from the body its own way (Nova and
Cinder word those errors differently) and then uses
:meth:`ActionEntry.check` and :func:`respond`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import validation
from trio2o_core.plugin.actions import ActionContext
from trio2o_core.plugin.actions import ActionResult
from trio2o_core.plugin.actions import PodAnswer
from trio2o_core.plugin.actions import _ActionHandler
from trio2o_core.plugin.exceptions import BadRequest
from trio2o_core.plugin.exceptions import NotFound
from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.service import json_response

#: the 404 message of an action outside the request's microversion
NOT_FOUND = 'The resource could not be found.'


@dataclasses.dataclass(frozen=True)
class ActionEntry:
    """An enabled handler with its versions parsed and its schemas
    wrapped to validate the whole body (so messages name the key)."""

    handler: Any
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
                 kind: type[_ActionHandler]) -> dict[str, ActionEntry]:
    """Load the enabled handlers of ``group`` (every installed one when
    ``enabled`` is None), keyed by action name.

    :raises PluginLoadError: a handler is missing, broken, not a
        ``kind`` or names a malformed microversion.
    """
    entries = {}
    for key, handler in gateway.load_plugins(group, enabled).items():
        if not isinstance(handler, kind):
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
        response.headers.update(result.headers)
        return response
    headers = dict(result.headers)
    if 'Location' in headers:
        headers['Location'] = ctx.pods.translate(pod, headers['Location'])
    body = (None if result.body is None else
            ctx.pods.translate(pod, result.body))
    return json_response(body, result.status, headers)
