"""The headers of a pod call and of its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from requests.structures import CaseInsensitiveDict


class Headers(CaseInsensitiveDict):  # type: ignore[type-arg]
    """``requests``' case-insensitive headers, with the lookups every pod
    call makes (``in``, ``get``, and the pairs in order) done on its
    store at once rather than through the mapping mixins."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._store: dict[str, tuple[str, Any]] = {}
        if data:
            self.update_from(data)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._store

    def get(self, name: str, default: Any = None) -> Any:
        found = self._store.get(name.lower())
        return default if found is None else found[1]

    def pairs(self) -> list[tuple[str, Any]]:
        """The headers, as written, and their values, in order."""
        return list(self._store.values())

    def add(self, name: str, value: str) -> None:
        """Set ``name``, or append ``value`` to it after ``, `` (a header
        repeated)."""
        key = name.lower()
        found = self._store.get(key)
        self._store[key] = ((name, value) if found is None
                            else (name, f'{found[1]}, {value}'))

    def update_from(self, headers: Mapping[str, Any]) -> None:
        """Set every header of ``headers`` (as ``update``)."""
        self._store.update((name.lower(), (name, value))
                           for name, value in headers.items())
