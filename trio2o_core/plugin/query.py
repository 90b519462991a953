"""Bounded parsing of query-string and header values.

The one parser for integers, paging, sort and boolean parameters. Only
ASCII digits count (``'²'.isdigit()`` is true and ``int('٣')`` is 3), and
every number has a length bound, so no input reaches ``int`` with
thousands of digits. Every refusal is a :class:`BadRequest` worded as
Nova words it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence

from trio2o_core.plugin import exceptions

#: the largest integer a parameter may carry (a signed 64-bit column)
MAX_INT = 2 ** 63 - 1
#: characters of a client's value quoted back in a message
SHOWN_LENGTH = 64
#: the longest marker accepted (ids are at most 255 characters)
MAX_MARKER_LENGTH = 255

_DIGITS = re.compile(f'[0-9]{{1,{len(str(MAX_INT))}}}', re.ASCII)
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')
TRUE_STRINGS = ('1', 't', 'true', 'on', 'y', 'yes')
FALSE_STRINGS = ('0', 'f', 'false', 'off', 'n', 'no')
SORT_DIRS = ('asc', 'desc')


def shown_value(value: str) -> str:
    """Return ``value`` cut to :data:`SHOWN_LENGTH` characters for a
    message (``...`` marks a cut)."""
    if len(value) <= SHOWN_LENGTH:
        return value
    return value[:SHOWN_LENGTH] + '...'


def parse_int(name: str, value: str, maximum: int = MAX_INT) -> int:
    """Parse a non-negative integer of ASCII digits, at most ``maximum``.

    :raises BadRequest: ``Invalid input for query parameters <name>.
        Value: <value>. ...`` for anything else (signs, spaces, non-ASCII
        digits, too many digits, above ``maximum``).
    """
    if not _DIGITS.fullmatch(value):
        text = shown_value(value)
        raise exceptions.BadRequest(
            f'Invalid input for query parameters {name}. Value: {text}. '
            f"'{text}' does not match '^[0-9]*$'")
    number = int(value)
    if number > maximum:
        raise exceptions.BadRequest(
            f'Invalid input for query parameters {name}. Value: {value}. '
            f'{value} is greater than the maximum of {maximum}')
    return number


def parse_limit(params: Mapping[str, str], max_limit: int) -> int:
    """Return the page size asked by ``params['limit']``, capped at
    ``max_limit``; ``max_limit`` when absent.

    :raises BadRequest: ``limit`` is not a non-negative integer.
    """
    value = params.get('limit')
    if value is None:
        return max_limit
    return min(parse_int('limit', value), max_limit)


def parse_marker(params: Mapping[str, str]) -> str | None:
    """Return ``params['marker']``, or None when absent.

    :raises BadRequest: ``marker [<value>] not found`` for a marker no
        resource can have (empty, control characters such as NUL, longer
        than :data:`MAX_MARKER_LENGTH`).
    """
    value = params.get('marker')
    if value is None:
        return None
    if (not value or len(value) > MAX_MARKER_LENGTH
            or _CONTROL.search(value)):
        raise exceptions.BadRequest(
            f'marker [{shown_value(value)}] not found')
    return value


def parse_sort(keys: Sequence[str], dirs: Sequence[str],
               allowed: Collection[str]) -> list[tuple[str, str]]:
    """Pair sort keys with directions as Nova does: a missing direction
    copies the first one given (``asc`` when none is).

    :raises BadRequest: a key not in ``allowed``, a direction other than
        ``asc``/``desc``, or more directions than keys.
    """
    for key in keys:
        if key not in allowed:
            text = shown_value(key)
            raise exceptions.BadRequest(
                f'Invalid input for query parameters sort_key. Value: '
                f"{text}. '{text}' is not one of {sorted(allowed)}")
    for direction in dirs:
        if direction not in SORT_DIRS:
            raise exceptions.BadRequest(
                "Invalid input received: Unknown sort direction, must be "
                "'desc' or 'asc'")
    if len(dirs) > len(keys):
        raise exceptions.BadRequest(
            'Invalid input received: Sort direction size exceeds sort key '
            'size')
    first = dirs[0] if dirs else 'asc'
    padded = list(dirs) + [first] * (len(keys) - len(dirs))
    return list(zip(keys, padded, strict=True))


def parse_bool(name: str, value: str) -> bool:
    """Parse a boolean with Nova's spellings (``1/t/true/on/y/yes`` and
    ``0/f/false/off/n/no``, any case, spaces around ignored).

    :raises BadRequest: ``Invalid input for query parameters <name>.
        Value: <value>. Unrecognized value '<value>', acceptable values
        are: ...``.
    """
    text = value.strip().lower()
    if text in TRUE_STRINGS:
        return True
    if text in FALSE_STRINGS:
        return False
    accepted = ', '.join(f"'{v}'" for v in sorted(TRUE_STRINGS
                                                  + FALSE_STRINGS))
    text = shown_value(value)
    raise exceptions.BadRequest(
        f'Invalid input for query parameters {name}. Value: {text}. '
        f"Unrecognized value '{text}', acceptable values are: {accepted}")
