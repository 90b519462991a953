"""The request object handlers receive."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import webob

from trio2o_core.plugin import exceptions

CONTEXT_KEY = 'trio2o.context'
JSON_TYPES = ('application/json', 'application/vnd.openstack.compute+json')
#: the deepest nesting of arrays and objects a request body may have
MAX_JSON_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r'[^\[\]{}]+')
_STEP = {'[': 1, '{': 1, ']': -1, '}': -1}


def _too_deep(text: str) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than
    :data:`MAX_JSON_DEPTH` (brackets inside strings do not count)."""
    brackets = _NOT_BRACKET.sub('', _STRING.sub('', text))
    return max(itertools.accumulate(_STEP[c] for c in brackets),
               default=0) > MAX_JSON_DEPTH


def _refuse_constant(name: str) -> Any:
    raise ValueError(f'{name} is not JSON')


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

    def json_body_or_none(self, media_types: tuple[str, ...] = JSON_TYPES
                          ) -> Any:
        """Return the decoded JSON body, or None when the body is empty.

        A missing, empty or ``text/plain`` Content-Type counts as JSON,
        as in Nova, and so do ``media_types``.

        :raises BadRequest: ``Malformed request body``: the body is not
            valid UTF-8 JSON, nests deeper than :data:`MAX_JSON_DEPTH`,
            holds ``NaN``/``Infinity``, a lone surrogate (``\\ud800``) or
            an integer of more digits than Python converts.
        :raises UnsupportedMediaType: another Content-Type was sent.
        """
        content_type = (self.content_type or '').lower()
        if content_type not in ('', 'text/plain') + media_types:
            raise exceptions.UnsupportedMediaType('Unsupported Content-Type')
        raw = self.body
        if not raw:
            return None
        try:
            text = raw.decode('utf-8')
            # nesting deeper than MAX_JSON_DEPTH takes more brackets
            if len(text) > MAX_JSON_DEPTH and _too_deep(text):
                raise ValueError('nested too deep')
            body = json.loads(text, parse_constant=_refuse_constant)
            # a lone surrogate cannot be encoded: refuse it here, not
            # where the value is stored or forwarded (valid UTF-8 holds
            # none: only a \u escape makes one)
            if '\\u' in text:
                json.dumps(body, ensure_ascii=False).encode('utf-8')
        except (UnicodeError, ValueError, RecursionError):
            raise exceptions.BadRequest('Malformed request body') from None
        return body

    def json_object(self) -> dict[str, Any]:
        """Return the body, which must be a JSON object.

        :raises BadRequest: empty, malformed or not an object.
        :raises UnsupportedMediaType: non-JSON Content-Type.
        """
        body = self.json_body_or_none()
        if not isinstance(body, dict):
            raise exceptions.BadRequest('Malformed request body')
        return body
