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

What a page costs is mostly per record a pod answers, so pods are asked
for little: each for its share of the page (the driver's first batch),
and a drained stream, with the others the merge expects to drain too,
for its share of the rest in one concurrent round (``gather``). Which
records the caller may see is asked once for the records of the page
(``keep``), not for every record fetched.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import heapq
import json
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.jsoncodec import Written
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.types import Pod

#: a record as a pod lists it (or :class:`Written`)
Record = Mapping[str, Any]
#: a batch of a pod's records in the pod's order, and whether more may
#: follow
Batch = tuple[Sequence[Record], bool]
#: ``fetch(pod_marker, limit)``: the batch of a pod's records after its
#: record ``pod_marker`` (from the start when None)
Fetch = Callable[[str | None, int], Batch]
#: ids of records -> those of them that may be shown
Keep = Callable[[list[str]], Iterable[str]]
#: ``gather(calls)``: run the calls (by stream index) concurrently and
#: return, by the same index, the batch each returned or the exception it
#: raised (one missing from the answer counts as failed)
Gather = Callable[[Mapping[int, Callable[[], Batch]]],
                  Mapping[int, Batch | Exception]]
#: ``shown(record, key)``: the comparable value a record shows for a
#: sort key (see :func:`comparable`), None when it does not show it
Shown = Callable[[Mapping[str, Any], str], tuple[Any, ...] | None]

_HIDDEN: tuple[Any, ...] = (0,)


def comparable(value: Any) -> tuple[Any, ...]:
    """Make any JSON value comparable with any other (None first, then
    booleans and numbers, then strings and the rest)."""
    if type(value) is str:
        return (2, value)
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

    __slots__ = ('desc', 'values', '_uniform')

    def __init__(self, values: tuple[tuple[Any, ...], ...],
                 desc: tuple[bool, ...]) -> None:
        self.values = values
        self.desc = desc
        self._uniform = _uniform(desc)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.values == other.values

    def __lt__(self, other: SortKey) -> bool:
        if self._uniform is not None:
            if self._uniform:
                return self.values > other.values
            return self.values < other.values
        for mine, theirs, desc in zip(self.values, other.values, self.desc,
                                      strict=True):
            if mine != theirs:
                return bool(mine > theirs if desc else mine < theirs)
        return False

    def __hash__(self) -> int:
        return hash(self.values)


@functools.lru_cache(maxsize=64)
def _uniform(desc: tuple[bool, ...]) -> bool | None:
    """The direction of every key when they share one (their values then
    compare as one tuple), else None."""
    return desc[0] if desc and len(set(desc)) == 1 else None


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
        return self.place(record)[0]

    def block(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """Return the values of the keys up to the first one a pod may
        order differently from what it shows; a pod lists records with
        equal blocks next to each other."""
        return self.place(record)[1]

    def place(self, record: Mapping[str, Any]
              ) -> tuple[SortKey, tuple[Any, ...]]:
        """Return :meth:`key` and :meth:`block` of a record, each shown
        value read once."""
        values = []
        cut = 0
        for key in self.keys:
            shown = self.shown(record, key)
            values.append(_HIDDEN if shown is None else shown)
            if not cut and (shown is None or key in self.coarse):
                cut = len(values)
        found = tuple(values)
        return SortKey(found, self.desc), found[:cut] if cut else found


class PodStream:
    """One pod's records in the merged order.

    Batches from ``fetch`` are cut into blocks (:meth:`FieldOrder.block`),
    each sorted once complete; records whose ``id`` is not in ``allowed``
    (unless it is None) and those not after ``after`` are dropped. Until
    the first record after ``after`` is seen, batches of ``skip_batch``
    are asked for, then of at least ``batch``. With ``written``, a record
    ready to be taken (its block complete, past ``after``) is kept as the
    JSON a page writes for it (:class:`Written`): its decoded form is
    freed while its batch is fresh in the processor's caches, and the
    page is written without encoding it again.
    """

    def __init__(self, fetch: Fetch, order: FieldOrder,
                 allowed: Iterable[str] | None,
                 after: SortKey | None, batch: int,
                 skip_batch: int, written: bool = False) -> None:
        self._fetch_batch = fetch
        self._order = order
        self._written = written
        self._allowed = None if allowed is None else set(allowed)
        self._after = after
        self._batch = batch
        self._skip_batch = max(skip_batch, batch)
        self._ready: collections.deque[tuple[SortKey, Record]] = (
            collections.deque())
        self._block: list[tuple[SortKey, Record]] = []
        self._block_key: tuple[Any, ...] | None = None
        self._pod_marker: str | None = None
        self._more = True
        self._passed = after is None
        #: why the stream ended early (a fetch raised it), or None
        self.failed: Exception | None = None

    @property
    def more(self) -> bool:
        """Whether the pod may hold records not fetched yet."""
        return self._more

    @property
    def ready(self) -> int:
        """How many records can be taken without fetching."""
        return len(self._ready)

    def head(self) -> Record | None:
        """Return the next record without taking it, fetching (here) while
        none is ready; None at the end.

        A failure to fetch ends the stream and is kept in ``failed``.
        """
        found = self.head_key()
        return None if found is None else self._ready[0][1]

    def head_key(self) -> SortKey | None:
        """Return the next record's place, as :meth:`head`."""
        while not self._ready and (self._more or self._block):
            if not self._more:
                self._flush()
                continue
            asked = self.asking(0)
            try:
                batch = asked()
            except Exception as exc:
                self.add(exc)
            else:
                self.add(batch)
        return self._ready[0][0] if self._ready else None

    def pop(self) -> Record:
        """Take the record :meth:`head` returned."""
        return self._ready.popleft()[1]

    def asking(self, want: int) -> Callable[[], Batch]:
        """Return the call fetching the next batch: ``want`` records, at
        least ``batch`` (``skip_batch`` before ``after`` is passed), at
        most ``skip_batch``. Its result (or exception) is for
        :meth:`add`; the call changes nothing, so it may run in another
        thread."""
        limit = (min(max(want, self._batch), self._skip_batch)
                 if self._passed else self._skip_batch)
        marker = self._pod_marker
        fetch = self._fetch_batch
        return lambda: fetch(marker, limit)

    def add(self, batch: Batch | Exception) -> None:
        """Take in what a call of :meth:`asking` returned or raised (a
        failure ends the stream and is kept in ``failed``)."""
        if isinstance(batch, Exception):
            self.failed = batch
            self._more = False
            self._block = []
            return
        records, more = batch
        if records:
            self._pod_marker = records[-1]['id']
        self._more = more and bool(records)
        allowed = self._allowed
        place = self._order.place
        for record in records:
            key, block = place(record)
            if self._block_key is not None and block != self._block_key:
                self._flush()
            self._block_key = block
            if not self._passed and self._after is not None:
                self._passed = self._after < key
            if allowed is None or record['id'] in allowed:
                self._block.append((key, record))
        if not self._more:
            self._flush()

    def _flush(self) -> None:
        block = self._block
        self._block = []
        if len(block) > 1:
            block.sort(key=_first)
        after = self._after
        written = self._written
        for pair in block:
            if after is None or after < pair[0]:
                self._ready.append((pair[0], Written(pair[1])) if written
                                   else pair)


def _first(pair: tuple[SortKey, Record]) -> SortKey:
    return pair[0]


def merge_streams(streams: list[PodStream], limit: int, *,
                  keep: Keep | None = None,
                  gather: Gather | None = None) -> list[tuple[int, Record]]:
    """Return up to ``limit`` ``(stream index, record)`` pairs, smallest
    first, asking a stream for more only when it is drained.

    ``keep`` is asked which records may be shown, once for all those a
    page would show (again for the rest while it drops some). With
    ``gather``, a drained stream is fetched again together with every
    other one expected to drain before the page is full (by its share of
    the page so far), in one concurrent round; without it, a drained
    stream is fetched again at once, alone.
    """
    taken = [0] * len(streams)

    def next_key(index: int, remaining: int) -> SortKey | None:
        stream = streams[index]
        if gather is not None and not stream.ready and stream.more:
            _refill(streams, index, taken, remaining, gather)
        return stream.head_key()

    heap: list[tuple[SortKey, int]] = []
    for index, stream in enumerate(streams):
        key = stream.head_key()
        if key is not None:
            heap.append((key, index))
    heapq.heapify(heap)
    page: list[tuple[int, Record]] = []
    unsettled: int | None = None
    while len(page) < limit:
        want = limit - len(page)
        if unsettled is not None:
            key = next_key(unsettled, want)
            if key is not None:
                heapq.heappush(heap, (key, unsettled))
            unsettled = None
        shown: list[tuple[int, Record]] = []
        while heap and len(shown) < want:
            index = heap[0][1]
            shown.append((index, streams[index].pop()))
            taken[index] += 1
            if len(shown) == want:
                # the page may be full: ask nothing more of the stream yet
                heapq.heappop(heap)
                unsettled = index
                break
            key = next_key(index, want - len(shown))
            if key is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (key, index))
        if not shown:
            break
        if keep is not None:
            kept = set(keep([record['id'] for _, record in shown]))
            shown = [pair for pair in shown if pair[1]['id'] in kept]
        page += shown
    return page


def _refill(streams: list[PodStream], drained: int, taken: list[int],
            remaining: int, gather: Gather) -> None:
    """Fetch the drained stream again together with every other stream
    holding fewer ready records than its share so far of ``remaining``;
    each is asked for 1.1 times its expected part."""
    total = sum(taken)
    calls: dict[int, Callable[[], Batch]] = {}
    for index, stream in enumerate(streams):
        if not stream.more:
            continue
        expected = -(-taken[index] * remaining * 11 // (10 * total))
        if index == drained or stream.ready < expected:
            calls[index] = stream.asking(expected - stream.ready)
    results = gather(calls)
    for index in calls:
        streams[index].add(results.get(
            index, Exception('no answer to a list call')))


def gather_batches(caller: PodCaller, pods: list[Pod]) -> Gather:
    """The ``gather`` of :func:`merge_streams` for streams of ``pods``
    (in the streams' order): each round's calls through
    :meth:`PodCaller.gather`. A pod that is down, times out or fails
    gives :class:`PodUnavailable`, one that refuses its ``PodRefused``."""
    def run(calls: Mapping[int, Callable[[], Batch]]
            ) -> dict[int, Batch | Exception]:
        index_of = {pods[index].id: index for index in calls}
        gathered = caller.gather([pods[index] for index in calls],
                                 lambda pod: calls[index_of[pod.id]]())
        results: dict[int, Batch | Exception] = {
            index_of[pod_id]: batch for pod_id, batch in gathered.ok.items()}
        for pod_id, refused in gathered.refused.items():
            results[index_of[pod_id]] = refused
        for pod in gathered.missing:
            results[index_of[pod.id]] = PodUnavailable(pod.name)
        return results
    return run
