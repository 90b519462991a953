"""Microversion parsing and negotiation, as Nova and Cinder do it."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from trio2o_core.plugin import exceptions
from trio2o_core.plugin.query import shown_value

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
