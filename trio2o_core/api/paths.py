"""The rules a request URL must meet before any routing.

Checked once, where a request enters a service app, so that no handler
and no pod URL built from a path segment sees a dot segment, an encoded
slash, a query or fragment hidden in a segment, or undecodable bytes.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import webob.exc

#: how many layers of percent-encoding a segment may carry
MAX_DECODE_ROUNDS = 2
_DOT_SEGMENTS = ('.', '..')
#: characters no decoded segment may hold: they would change the URL a
#: pod is sent (path, query, fragment) or cannot be stored
_FORBIDDEN = re.compile(r'[/\\?#\x00-\x1f\x7f]')


def check(environ: Mapping[str, Any]) -> None:
    """Refuse a request whose URL could escape the routing table.

    ``PATH_INFO`` is the server's decoded path (WSGI: latin-1 characters
    standing for bytes).

    :raises webob.exc.HTTPBadRequest: the path or query string is not
        valid UTF-8 once percent-decoded.
    :raises webob.exc.HTTPNotFound: a segment is, or decodes to, ``.`` or
        ``..``, or holds a slash, backslash, ``?``, ``#`` or a control
        character (also percent-encoded up to :data:`MAX_DECODE_ROUNDS`
        layers deep, or deeper).
    """
    try:
        path = environ.get('PATH_INFO', '').encode('latin-1').decode(
            'utf-8')
        urllib.parse.unquote_to_bytes(
            environ.get('QUERY_STRING', '').replace('+', ' ')).decode(
                'utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise webob.exc.HTTPBadRequest(
            detail='The request URL is not valid UTF-8.') from None
    for segment in path.split('/'):
        if not _segment_is_safe(segment):
            raise webob.exc.HTTPNotFound()


def _segment_is_safe(segment: str) -> bool:
    for _ in range(MAX_DECODE_ROUNDS + 1):
        if segment in _DOT_SEGMENTS or _FORBIDDEN.search(segment):
            return False
        try:
            decoded = urllib.parse.unquote(segment, errors='strict')
        except UnicodeDecodeError:
            return False
        if decoded == segment:
            return True
        segment = decoded
    return False
