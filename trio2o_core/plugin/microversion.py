"""Microversions, as Nova and Cinder do them.

A driver declares its service's specifics in a :class:`MicroversionSpec`
(``ServiceAPI.microversions``); the core negotiates every request with
it, echoes the version in the answer and forwards it to the pods.
Handlers read the negotiated version with :func:`of`, :func:`at_least`
and :func:`pick`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TypeVar

import webob

from trio2o_core.plugin import exceptions
from trio2o_core.plugin.query import shown_value

T = TypeVar('T')
#: where the negotiated version of a request is kept
VERSION_KEY = 'trio2o.microversion'
#: a well-formed version the request asked for and was refused (406)
REJECTED_KEY = 'trio2o.rejected_microversion'

# ASCII digits only, and at most 9 of them per part: nothing reaches int()
# with thousands of digits, and no API has a version that long.
_FORMAT = re.compile(r'([1-9][0-9]{0,8})\.([1-9][0-9]{0,8}|0)', re.ASCII)


@functools.total_ordering
class APIVersion:
    """A ``major.minor`` API version."""

    __slots__ = ('major', 'minor')

    def __init__(self, major: int, minor: int) -> None:
        self.major = major
        self.minor = minor

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        """Parse ``"X.Y"``.

        :raises BadRequest: the text is not ``MajorNum.MinorNum`` of ASCII
            digits, at most 9 per number.
        """
        match = _FORMAT.fullmatch(text)
        if not match:
            raise exceptions.BadRequest(
                f'API Version String {shown_value(text)} is of invalid '
                'format. Must be of format MajorNum.MinorNum.')
        return cls(int(match.group(1)), int(match.group(2)))

    def _key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, APIVersion) and self._key() == other._key()

    def __lt__(self, other: APIVersion) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f'{self.major}.{self.minor}'

    def __repr__(self) -> str:
        return f'APIVersion({self})'

    def matches(self, low: str | APIVersion | None,
                high: str | APIVersion | None) -> bool:
        """Whether ``low <= self <= high``; a None bound is open."""
        if low is not None and self < _as_version(low):
            return False
        return high is None or self <= _as_version(high)


def _as_version(value: str | APIVersion) -> APIVersion:
    return value if isinstance(value, APIVersion) else APIVersion.parse(
        value)


def requested_version(headers: Mapping[str, str], service: str,
                      legacy_header: str | None = None) -> str | None:
    """Return the version string the client asked for, or None.

    Reads ``OpenStack-API-Version: <service> X.Y`` (the last entry for
    ``service`` wins, the service name compared case-insensitively), then
    ``legacy_header`` (its last comma item).
    """
    found = None
    for item in (headers.get('OpenStack-API-Version') or '').split(','):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == service.lower():
            found = parts[1].strip()
    if found is None and legacy_header and headers.get(legacy_header):
        found = headers[legacy_header].split(',')[-1].strip()
    return found


def negotiate(requested: str | None, minimum: APIVersion,
              maximum: APIVersion,
              default: APIVersion | None = None) -> APIVersion:
    """Return the version a request runs at.

    ``None`` gives ``default`` (the minimum when unset); ``latest`` the
    maximum.

    :raises BadRequest: malformed version.
    :raises NotAcceptable: outside ``[minimum, maximum]``.
    """
    if requested is None:
        return default or minimum
    if requested == 'latest':
        return maximum
    version = APIVersion.parse(requested)
    if not version.matches(minimum, maximum):
        raise exceptions.NotAcceptable(
            f'Version {version} is not supported by the API. Minimum is '
            f'{minimum} and maximum is {maximum}.')
    return version


@dataclasses.dataclass(frozen=True)
class MicroversionSpec:
    """One service's microversion specifics.

    ``service`` is its name in ``OpenStack-API-Version`` (``compute``,
    ``volume``); ``legacy_header`` a header also read and echoed (Nova's
    ``X-OpenStack-Nova-API-Version``); ``config_group`` the group whose
    ``max_microversion`` option caps the advertised maximum;
    ``unversioned_paths`` the paths (relative to the service, without
    slashes) outside microversion control; ``document_path`` the path,
    from a pod's root, of the version document naming the pod's
    maximum.
    """

    service: str
    minimum: APIVersion
    known_maximum: APIVersion
    config_group: str
    document_path: str
    legacy_header: str | None = None
    unversioned_paths: tuple[str, ...] = ()

    def request_headers(self, version: str) -> dict[str, str]:
        """The headers that ask a pod for ``version``."""
        headers = {'OpenStack-API-Version': f'{self.service} {version}'}
        if self.legacy_header:
            headers[self.legacy_header] = version
        return headers

    def negotiate(self, request: webob.Request,
                  maximum: APIVersion) -> None:
        """Negotiate the request's version and keep it on the request
        (nothing for an unversioned path).

        :raises BadRequest: malformed version header.
        :raises NotAcceptable: outside ``[minimum, maximum]``.
        """
        if request.path_info.strip('/') in self.unversioned_paths:
            return
        asked = requested_version(request.headers, self.service,
                                  self.legacy_header)
        try:
            request.environ[VERSION_KEY] = negotiate(asked, self.minimum,
                                                     maximum)
        except exceptions.NotAcceptable:
            request.environ[REJECTED_KEY] = asked
            raise

    def echo(self, request: webob.Request,
             response: webob.Response) -> None:
        """Echo the version in ``response`` as the service does.

        A negotiated version, or a well-formed refused one (406), is
        echoed in ``OpenStack-API-Version`` (and the legacy header) with
        a ``Vary`` for each; a malformed one (400) is not echoed.
        """
        version = request.environ.get(VERSION_KEY)
        text = str(version) if version is not None else None
        if text is None and response.status_code == 406:
            text = request.environ.get(REJECTED_KEY)
        if text is None:
            return
        for name, value in self.request_headers(text).items():
            response.headers[name] = value
            response.headers.add('Vary', name)


def of(request: webob.Request) -> APIVersion:
    """Return the version negotiated for ``request``.

    :raises LookupError: the request's path is outside microversion
        control.
    """
    version: APIVersion | None = request.environ.get(VERSION_KEY)
    if version is None:
        raise LookupError('no microversion was negotiated')
    return version


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
