"""Compute microversions: negotiation and the headers that echo them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import webob

from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import negotiate
from trio2o_core.plugin.microversion import requested_version

SERVICE = 'compute'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
MIN_VERSION = APIVersion(2, 1)
#: the highest version of the Nova release the gateway was built against
KNOWN_MAX_VERSION = APIVersion(2, 104)

T = TypeVar('T')

_VERSION_KEY = 'trio2o.nova.microversion'
_REJECTED_KEY = 'trio2o.nova.rejected_microversion'


def negotiate_request(request: webob.Request, maximum: APIVersion) -> None:
    """Negotiate the request's version and keep it on the request.

    :raises BadRequest: malformed version header.
    :raises NotAcceptable: outside ``[2.1, maximum]``.
    """
    asked = requested_version(request.headers, SERVICE, LEGACY_HEADER)
    try:
        version = negotiate(asked, MIN_VERSION, maximum)
    except Exception:
        request.environ[_REJECTED_KEY] = asked
        raise
    request.environ[_VERSION_KEY] = version


def of(request: webob.Request) -> APIVersion:
    """Return the version negotiated for ``request`` (2.1 if none)."""
    return request.environ.get(_VERSION_KEY, MIN_VERSION)


def at_least(request: webob.Request, version: str) -> bool:
    """Whether the request's version is ``version`` ("X.Y") or later."""
    return of(request).matches(version, None)


def pick(table: Sequence[tuple[str | None, str | None, T]],
         request: webob.Request) -> T | None:
    """Return the item of the first ``(min, max, item)`` row whose range
    holds the request's version (None bounds are open), or None."""
    version = of(request)
    for low, high, item in table:
        if version.matches(low, high):
            return item
    return None


def add_headers(request: webob.Request, response: webob.Response) -> None:
    """Echo the version as Nova does.

    A negotiated version, or a well-formed rejected one (406), is echoed
    in ``OpenStack-API-Version`` and ``X-OpenStack-Nova-API-Version``
    with two ``Vary`` headers; a malformed one (400) is not echoed.
    """
    version = request.environ.get(_VERSION_KEY)
    text = str(version) if version is not None else None
    if text is None and response.status_code == 406:
        text = request.environ.get(_REJECTED_KEY)
    if text is None:
        return
    response.headers['OpenStack-API-Version'] = f'{SERVICE} {text}'
    response.headers[LEGACY_HEADER] = text
    for name in ('OpenStack-API-Version', LEGACY_HEADER):
        response.headers.add('Vary', name)
