"""JSON on the request path: orjson (several times faster than the
standard library on the records of merged lists), with the standard
library's behaviour where orjson would refuse a value."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Return compact UTF-8 JSON of ``value`` (as ``json.dumps`` with
    ``separators=(',', ':')``, non-ASCII written as is).

    :raises TypeError: ``value`` holds something JSON cannot write.
    :raises ValueError: ``value`` refers to itself.
    """
    try:
        return orjson.dumps(value)
    except TypeError:
        pass
    try:
        # keys that are not strings (orjson writes string keys faster
        # without this option)
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        # integers beyond 64 bits, subclasses orjson refuses
        return json.dumps(value, separators=(',', ':'),
                          ensure_ascii=False).encode('utf-8')


def loads(data: bytes | str) -> Any:
    """Return the value of the JSON document ``data``. An integer beyond
    64 bits is read as a float, as orjson reads it (no OpenStack answer
    holds one; a request body is read by the standard library).

    :raises ValueError: ``data`` is not JSON (``json.JSONDecodeError``).
    """
    return orjson.loads(data)
