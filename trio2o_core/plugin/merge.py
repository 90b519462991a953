"""One sorted, paged list over many pods: a k-way heap merge of per-pod
sorted streams.

A driver describes its list's order with a :class:`FieldOrder` (the
request's sort keys and directions, and how a record shows each key),
opens one :class:`PodStream` per pod over a ``fetch(pod_marker, limit)``
of the pod's own sorted pages, and takes a page with
:func:`merge_streams`.

Records of different pods are compared by what the API shows, which is
not always what a pod sorted by (times shown in whole seconds, keys not
shown at all). A pod's answer is therefore cut into *blocks*: runs of
records that agree on the shown values of the keys up to the first key
the pod may order differently (a *coarse* or hidden one). Such a run is
contiguous in the pod's order, so each block, once complete, is
re-sorted by the full shown key. Every stream is then sorted by one
total order, and the merge of them is that order.

A marker is resolved by the driver to a record and its :class:`SortKey`
(``after``): every stream then skips the records up to it.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
import json
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

#: a record as a pod lists it
Record = dict[str, Any]
#: ``fetch(pod_marker, limit)``: a batch of a pod's records in the pod's
#: order after its record ``pod_marker`` (from the start when None), and
#: whether more may follow
Fetch = Callable[[str | None, int], tuple[list[Record], bool]]
#: a batch's record ids -> those of them a stream keeps
Keep = Callable[[list[str]], Iterable[str]]
#: ``shown(record, key)``: the comparable value a record shows for a
#: sort key (see :func:`comparable`), None when it does not show it
Shown = Callable[[Mapping[str, Any], str], tuple[Any, ...] | None]

_HIDDEN: tuple[Any, ...] = (0,)


def comparable(value: Any) -> tuple[Any, ...]:
    """Make any JSON value comparable with any other (None first, then
    booleans and numbers, then strings and the rest)."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (2, json.dumps(value, sort_keys=True))


def batch_size(limit: int, pods: int, minimum: int) -> int:
    """A pod's batch for a page of ``limit`` over ``pods`` pods:
    ``max(minimum, min(limit, ceil(limit / pods * 1.1)))``; the whole
    ``limit`` from a single pod."""
    if pods <= 1:
        return limit
    share = -(-limit * 11 // (10 * pods))
    return max(minimum, min(limit, share))


class SortKey:
    """A record's place in the merged order (lower sorts first)."""

    __slots__ = ('desc', 'values')

    def __init__(self, values: tuple[tuple[Any, ...], ...],
                 desc: tuple[bool, ...]) -> None:
        self.values = values
        self.desc = desc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.values == other.values

    def __lt__(self, other: SortKey) -> bool:
        for mine, theirs, desc in zip(self.values, other.values, self.desc,
                                      strict=True):
            if mine != theirs:
                return bool(mine > theirs if desc else mine < theirs)
        return False

    def __hash__(self) -> int:
        return hash(self.values)


@dataclasses.dataclass(frozen=True)
class FieldOrder:
    """Sort keys with their directions (the last key should identify a
    record), how a record shows a key, and the keys a pod may order more
    finely than it shows them."""

    keys: tuple[str, ...]
    desc: tuple[bool, ...]
    shown: Shown
    coarse: frozenset[str] = frozenset()

    def params(self) -> list[tuple[str, str]]:
        """Return the ``sort_key``/``sort_dir`` parameters for a pod."""
        return ([('sort_key', key) for key in self.keys]
                + [('sort_dir', 'desc' if desc else 'asc')
                   for desc in self.desc])

    def key(self, record: Mapping[str, Any]) -> SortKey:
        """Return the record's place; hidden keys compare equal."""
        values = []
        for key in self.keys:
            shown = self.shown(record, key)
            values.append(_HIDDEN if shown is None else shown)
        return SortKey(tuple(values), self.desc)

    def block(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """Return the values of the keys up to the first one a pod may
        order differently from what it shows; a pod lists records with
        equal blocks next to each other."""
        values = []
        for key in self.keys:
            shown = self.shown(record, key)
            values.append(_HIDDEN if shown is None else shown)
            if shown is None or key in self.coarse:
                break
        return tuple(values)


class PodStream:
    """One pod's records in the merged order.

    Batches from ``fetch`` are cut into blocks (:meth:`FieldOrder.block`),
    each sorted once complete; records whose ``id`` is not allowed and
    those not after ``after`` are dropped. ``allowed`` is the ids kept,
    or a callable given each batch's ids and returning those kept (so a
    list reads the routings of what the pods answered, not all of them),
    or None (every record). Until the
    first record after ``after`` is seen, batches of ``skip_batch`` are
    asked for, then of ``batch``.
    """

    def __init__(self, fetch: Fetch, order: FieldOrder,
                 allowed: Iterable[str] | Keep | None,
                 after: SortKey | None, batch: int,
                 skip_batch: int) -> None:
        self._fetch_batch = fetch
        self._order = order
        self._keep = allowed if callable(allowed) else None
        self._allowed = (None if allowed is None or callable(allowed)
                         else set(allowed))
        self._after = after
        self._batch = batch
        self._skip_batch = skip_batch
        self._ready: collections.deque[Record] = collections.deque()
        self._block: list[Record] = []
        self._block_key: tuple[Any, ...] | None = None
        self._pod_marker: str | None = None
        self._more = True
        self._passed = after is None
        #: why the stream ended early (a fetch raised it), or None
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
        allowed = self._allowed
        if self._keep is not None and records:
            allowed = set(self._keep([record['id'] for record in records]))
        for record in records:
            block = self._order.block(record)
            if self._block_key is not None and block != self._block_key:
                self._flush()
            self._block_key = block
            if self._after is not None and not self._passed:
                self._passed = self._after < self._order.key(record)
            if allowed is None or record['id'] in allowed:
                self._block.append(record)
        if not self._more:
            self._flush()

    def _flush(self) -> None:
        keyed = sorted(((self._order.key(r), r) for r in self._block),
                       key=lambda pair: pair[0])
        self._block = []
        for key, record in keyed:
            if self._after is None or self._after < key:
                self._ready.append(record)


def merge_streams(streams: list[PodStream], order: FieldOrder,
          limit: int) -> list[tuple[int, Record]]:
    """Return up to ``limit`` ``(stream index, record)`` pairs, smallest
    first, asking a stream for more only when it is drained."""
    heap: list[tuple[SortKey, int]] = []
    for index, stream in enumerate(streams):
        record = stream.head()
        if record is not None:
            heap.append((order.key(record), index))
    heapq.heapify(heap)
    page: list[tuple[int, Record]] = []
    while heap and len(page) < limit:
        _, index = heapq.heappop(heap)
        page.append((index, streams[index].pop()))
        if len(page) < limit:
            record = streams[index].head()
            if record is not None:
                heapq.heappush(heap, (order.key(record), index))
    return page
