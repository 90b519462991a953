"""What a pod's JSON becomes at the gateway: hrefs under the pod's root
moved to the gateway's, and the pod's internal zone shown as the one
users know. Done either by a walk of decoded values (:class:`Walk`) or,
with the same result, on a body's bytes before it is decoded
(:class:`BodyRewrite`), which costs a fraction of the walk.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: ``(keys holding a zone, the pod's zone, the users' zone)``
Zones = tuple[tuple[str, ...], str, str]


class Walk:
    """One walk copying a JSON value (changing it, ``in_place``):
    strings equal to the pod's root or starting with it and a ``/`` get
    the gateway's root instead; a value under one of ``zones[0]`` equal
    to ``zones[1]`` becomes ``zones[2]``. Keys are left as they are.
    Exact JSON types are tested first, in the loop over a dict's items
    (the walk is per record of every merged list)."""

    def __init__(self, pod_base: str, top_base: str, zones: Zones | None,
                 in_place: bool = False) -> None:
        self.root = pod_base.rstrip('/')
        self.cut = len(self.root)
        self.top = top_base.rstrip('/')
        self.zones = zones
        self.in_place = in_place

    def of(self, value: Any) -> Any:
        """Return ``value`` translated."""
        kind = type(value)
        if kind is dict:
            return self._dict(value)
        if kind is list:
            return self._list(value)
        if kind is str:
            return self._str(value)
        if isinstance(value, str):
            return self._str(str(value))
        if isinstance(value, dict):
            return self._dict(value)
        if isinstance(value, list):
            return self._list(value)
        return value

    def _str(self, value: str) -> str:
        if value.startswith(self.root) and (len(value) == self.cut
                                            or value[self.cut] == '/'):
            return self.top + value[self.cut:]
        return value

    def _list(self, value: list[Any]) -> list[Any]:
        of = self.of
        target = value if self.in_place else list(value)
        for index, item in enumerate(value):
            if type(item) not in _SCALARS:
                target[index] = of(item)
        return target

    def _dict(self, value: dict[Any, Any]) -> dict[Any, Any]:
        # a copy starts as a shallow one; only what changes is stored
        root = self.root
        keys, inner, outer = self.zones or ((), None, None)
        target = value if self.in_place else dict(value)
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                if key in keys and item == inner:
                    target[key] = outer
                elif item.startswith(root):
                    target[key] = self._str(item)
            elif kind is dict:
                target[key] = self._dict(item)
            elif kind is list:
                target[key] = self._list(item)
            elif kind not in _SCALARS:
                target[key] = (outer if key in keys and item == inner
                               else self.of(item))
        return target


class BodyRewrite:
    """The translation of :class:`Walk`, made on a JSON body's bytes.

    Only a body without a backslash is rewritten: with no escape in it,
    every ``"`` opens or closes a string, a string followed by ``:`` is
    a key, and names are written as they are.
    """

    def __init__(self, pod_base: str, top_base: str,
                 zones: Zones | None) -> None:
        root = pod_base.rstrip('/')
        self.root = root.encode()
        self._top = b'"' + top_base.rstrip('/').encode()
        self._href = _href_pattern(root)
        # where the usual pass below cannot tell, each key with the pod's
        # zone as its value is written again with the users' zone (the
        # same JSON; the whitespace around its colon dropped): a constant
        # replacement, no callback per match; a key's pattern is run only
        # on a body holding the key
        self._inner = b'"%s"' % zones[1].encode() if zones else b''
        self._zones = [(b'"%s"' % key.encode(), _zone_pattern(key, zones[1]),
                        b'"%s":"%s"' % (key.encode(), zones[2].encode()))
                       for key in zones[0]] if zones else []
        # the pod's zone under a key written ``"key":`` or ``"key": `` (as
        # the pods' JSON writers do), all keys in one pass: the search
        # starts from the zone's own text, the keys are looked behind
        self._usual = _usual_zone_pattern(zones) if zones else None
        self._outer = b'%s"' % zones[2].encode() if zones else b''
        names = (root, top_base, *(zones[0] + zones[1:] if zones else ()))
        self.exact = all(name.isascii() and '"' not in name
                         and '\\' not in name for name in names)

    def apply(self, body: bytes) -> bytes | None:
        """Return ``body`` translated, or None when its bytes cannot be
        (it holds an escape, or a name is not plain ASCII: decode and
        walk it instead)."""
        if not self.exact or b'\\' in body:
            return None
        if self.root in body:
            body = self._href.sub(self._top, body)
        found = body.count(self._inner) if self._usual else 0
        if found:
            usual, count = self._usual.subn(self._outer, body)
            if count == found:
                # every "<zone>" string was a zone key's usual value
                return usual
            for key, pattern, replacement in self._zones:
                if key in body:
                    body = pattern.sub(replacement, body)
        return body


@functools.lru_cache(maxsize=1024)
def body_rewrite(pod_base: str, top_base: str,
                 zones: Zones | None) -> BodyRewrite:
    """The :class:`BodyRewrite` of these names, made once per process
    (a merged list rewrites every pod's answer on every page)."""
    return BodyRewrite(pod_base, top_base, zones)


@functools.lru_cache(maxsize=256)
def _href_pattern(root: str) -> re.Pattern[bytes]:
    # the opening quote and root of a whole string value that is the
    # root or starts with it and a "/" (not a key): what follows is only
    # looked at, so the replacement is a constant (no callback per
    # match); it begins with text, so the search for it is quick
    return re.compile(rb'"' + re.escape(root.encode())
                      + rb'(?=(?:/[^"]*)?"(?!\s*:))')


def _usual_zone_pattern(zones: Zones) -> re.Pattern[bytes]:
    # the zone's text and closing quote, when the text before them is a
    # zone key, its colon (and a space) and the opening quote
    inner = zones[1].encode()
    behind = b'|'.join(
        b'(?<=%s)' % re.escape(b'"%s"%s"%s"' % (key.encode(), colon, inner))
        for key in zones[0] for colon in (b':', b': '))
    return re.compile(re.escape(inner + b'"') + b'(?:' + behind + b')')


@functools.lru_cache(maxsize=256)
def _zone_pattern(key: str, inner: str) -> re.Pattern[bytes]:
    return re.compile(rb'"' + re.escape(key.encode()) + rb'"\s*:\s*"'
                      + re.escape(inner.encode()) + rb'"')


#: JSON values a translation leaves as they are
_SCALARS = frozenset((int, float, bool, type(None)))
