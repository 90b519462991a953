"""One sorted list out of many pods' sorted lists (the cells v2 way).

Each pod's records arrive as a :class:`PodStream`: batches fetched with
the pod's own markers, only when the merge has drained the previous one.
:func:`merge` takes the smallest head of all streams (k-way heap) until
the page is full. Records are compared by a :class:`SortKey`: the
values of the requested sort keys, each ascending or descending; the
caller makes ``id`` the last key so that the order is total.

A marker of the merged list is resolved by the caller to its sort key
(``after``): every stream then starts after that key, so the page that
follows is the same whichever pod the marker came from.
"""

from __future__ import annotations

import collections
import heapq
import json
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

Record = dict[str, Any]
#: ``fetch(pod_marker, limit)``: a batch of a pod's records in the pod's
#: order, and whether more may follow
Fetch = Callable[[str | None, int], tuple[list[Record], bool]]


def normal(value: Any) -> tuple[Any, ...]:
    """Make any shown JSON value comparable with any other (None lowest,
    then numbers and booleans, then strings, then the rest)."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True))


class SortKey:
    """A record's place in the merged order (lower sorts first)."""

    __slots__ = ('desc', 'values')

    def __init__(self, values: Sequence[tuple[Any, ...]],
                 desc: Sequence[bool]) -> None:
        self.values = tuple(values)
        self.desc = tuple(desc)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.values == other.values

    def __lt__(self, other: SortKey) -> bool:
        for mine, theirs, desc in zip(self.values, other.values, self.desc,
                                      strict=True):
            if mine != theirs:
                return mine > theirs if desc else mine < theirs
        return False

    def __hash__(self) -> int:
        return hash(self.values)


def sort_key(record: Mapping[str, Any], attributes: Sequence[str],
             desc: Sequence[bool]) -> SortKey:
    """Return the key of ``record`` for the shown ``attributes`` (a
    missing attribute compares as None)."""
    return SortKey([normal(record.get(name)) for name in attributes], desc)


class PodStream:
    """One pod's records in the merged order.

    ``key`` gives a record's :class:`SortKey`. Records not in ``allowed``
    (when given) and those not after ``after`` are dropped. Until the
    first record after ``after`` is seen, batches of ``skip_batch`` are
    asked for, then of ``batch``. When ``block`` is given, a pod may list
    records with equal ``block(record)`` in an order of its own (a key it
    shows coarser than it sorts by): each such run is sorted by ``key``
    once complete.
    """

    def __init__(self, fetch: Fetch, key: Callable[[Record], SortKey],
                 allowed: Iterable[str] | None, after: SortKey | None,
                 batch: int, skip_batch: int,
                 block: Callable[[Record], Hashable] | None = None) -> None:
        self._fetch_batch = fetch
        self._key = key
        self._block_of = block
        self._allowed = None if allowed is None else set(allowed)
        self._after = after
        self._batch = batch
        self._skip_batch = skip_batch
        self._ready: collections.deque[Record] = collections.deque()
        self._block: list[Record] = []
        self._block_key: Hashable = None
        self._pod_marker: str | None = None
        self._more = True
        self._passed = after is None
        #: the error that ended the stream early, if any
        self.failed: Exception | None = None

    def head(self) -> Record | None:
        """Return the next record without taking it; None at the end.

        A failure to fetch ends the stream and is kept in ``failed``.
        """
        while not self._ready and (self._more or self._block):
            if not self._more:
                self._flush()
                continue
            try:
                self._fetch()
            except Exception as exc:
                self.failed = exc
                self._more = False
                self._block = []
        return self._ready[0] if self._ready else None

    def pop(self) -> Record:
        """Take the record :meth:`head` returned."""
        return self._ready.popleft()

    def _fetch(self) -> None:
        limit = self._batch if self._passed else self._skip_batch
        records, more = self._fetch_batch(self._pod_marker, limit)
        if records:
            self._pod_marker = records[-1]['id']
        self._more = more and bool(records)
        for record in records:
            if self._block_of is not None:
                block = self._block_of(record)
                if self._block and block != self._block_key:
                    self._flush()
                self._block_key = block
            if self._after is not None and not self._passed:
                self._passed = self._after < self._key(record)
            if self._allowed is None or record['id'] in self._allowed:
                self._block.append(record)
            if self._block_of is None:
                self._flush()
        if not self._more:
            self._flush()

    def _flush(self) -> None:
        keyed = sorted(((self._key(r), r) for r in self._block),
                       key=lambda pair: pair[0])
        self._block = []
        for key, record in keyed:
            if self._after is None or self._after < key:
                self._ready.append(record)


def batch_size(limit: int, pods: int, minimum: int = 100) -> int:
    """A pod's batch for a page of ``limit`` over ``pods`` pods:
    ``max(minimum, ceil(limit / pods * 1.1))``, at most ``limit``."""
    if pods <= 1:
        return limit
    share = -(-limit * 11 // (10 * pods))
    return max(minimum, min(limit, share))


def merge(streams: Sequence[PodStream], key: Callable[[Record], SortKey],
          limit: int) -> list[tuple[int, Record]]:
    """Return up to ``limit`` ``(stream index, record)`` pairs, smallest
    first, asking a stream for more only when it is drained."""
    heap: list[tuple[SortKey, int]] = []
    for index, stream in enumerate(streams):
        record = stream.head()
        if record is not None:
            heap.append((key(record), index))
    heapq.heapify(heap)
    page: list[tuple[int, Record]] = []
    while heap and len(page) < limit:
        _, index = heapq.heappop(heap)
        page.append((index, streams[index].pop()))
        if len(page) < limit:
            record = streams[index].head()
            if record is not None:
                heapq.heappush(heap, (key(record), index))
    return page
