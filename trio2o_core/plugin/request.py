"""The request object handlers receive."""

from __future__ import annotations

import json
from typing import Any

import webob

from trio2o_core.plugin import exceptions

CONTEXT_KEY = 'trio2o.context'
JSON_TYPES = ('application/json', 'application/vnd.openstack.compute+json')


class Request(webob.Request):
    """A WebOb request with the gateway's request context and body rules."""

    @property
    def context(self) -> Any:
        """The :class:`trio2o_core.context.RequestContext` of the call.

        :raises Forbidden: no context middleware ran (misconfigured
            pipeline).
        """
        ctx = self.environ.get(CONTEXT_KEY)
        if ctx is None:
            raise exceptions.Forbidden('Access was denied to this resource.',
                                       'no request context in environ')
        return ctx

    def json_body_or_none(self) -> Any:
        """Return the decoded JSON body, or None when the body is empty.

        A missing, empty or ``text/plain`` Content-Type counts as JSON,
        as in Nova.

        :raises BadRequest: the body is not valid UTF-8 JSON
            (``Malformed request body``).
        :raises UnsupportedMediaType: another Content-Type was sent.
        """
        content_type = (self.content_type or '').lower()
        if content_type not in ('', 'text/plain') + JSON_TYPES:
            raise exceptions.UnsupportedMediaType('Unsupported Content-Type')
        raw = self.body
        if not raw:
            return None
        try:
            return json.loads(raw.decode('utf-8'))
        except (UnicodeDecodeError, ValueError):
            raise exceptions.BadRequest('Malformed request body') from None

    def json_object(self) -> dict[str, Any]:
        """Return the body, which must be a JSON object.

        :raises BadRequest: empty, malformed or not an object.
        :raises UnsupportedMediaType: non-JSON Content-Type.
        """
        body = self.json_body_or_none()
        if not isinstance(body, dict):
            raise exceptions.BadRequest('Malformed request body')
        return body
