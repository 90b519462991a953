"""The generic merge engine, with an order of another service's keys."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import FieldOrder
from trio2o_core.plugin import PodStream
from trio2o_core.plugin import batch_size
from trio2o_core.plugin import comparable
from trio2o_core.plugin import jsoncodec
from trio2o_core.plugin import merge_streams


def shown(record: Mapping[str, Any], key: str) -> tuple[Any, ...] | None:
    return comparable(record[key]) if key in record else None


ORDER = FieldOrder(('size', 'id'), (True, True), shown)


def pod(records: list[dict[str, Any]], asked: list[int]):
    """A pod listing ``records`` in ORDER, pages after its own marker."""
    ordered = sorted(records, key=ORDER.key)

    def fetch(marker: str | None, limit: int):
        asked.append(limit)
        ids = [r['id'] for r in ordered]
        start = ids.index(marker) + 1 if marker else 0
        page = ordered[start:start + limit]
        return page, start + limit < len(ordered)
    return fetch


def volumes(prefix: str, sizes: list[int]) -> list[dict[str, Any]]:
    return [{'id': f'{prefix}{i}', 'size': size}
            for i, size in enumerate(sizes)]


def test_streams_merge_in_one_order_asking_batches_lazily():
    asked: list[int] = []
    a = PodStream(pod(volumes('a', [1, 5, 9]), asked), ORDER, None, None,
                  batch=2, skip_batch=2)
    b = PodStream(pod(volumes('b', [4, 6]), asked), ORDER, None, None,
                  batch=2, skip_batch=2)

    page = merge_streams([a, b], 4)

    assert [record['size'] for _, record in page] == [9, 6, 5, 4]
    assert asked == [2, 2, 2]


def test_marker_and_allowed_ids_are_skipped():
    records = volumes('a', [1, 5, 9, 7])
    after = ORDER.key(records[2])
    stream = PodStream(pod(records, []), ORDER, {'a0', 'a1'}, after,
                       batch=10, skip_batch=10)

    page = merge_streams([stream], 10)

    assert [record['id'] for _, record in page] == ['a1', 'a0']


def test_keep_is_asked_for_the_page_then_for_what_it_dropped():
    asked: list[list[str]] = []

    def keep(ids: list[str]) -> set[str]:
        asked.append(ids)
        return {'a1', 'a3', 'b0'}

    a = PodStream(pod(volumes('a', [1, 5, 9, 7]), []), ORDER, None, None,
                  batch=2, skip_batch=2)
    b = PodStream(pod(volumes('b', [0]), []), ORDER, None, None,
                  batch=2, skip_batch=2)

    page = merge_streams([a, b], 3, keep=keep)

    assert [record['id'] for _, record in page] == ['a3', 'a1', 'b0']
    assert asked == [['a2', 'a3', 'a1'], ['a0'], ['b0']]


def recording_gather(rounds: list[dict[int, Any]]):
    """A ``gather`` running the calls one after the other, noting each
    round's stream indexes."""
    def gather(calls):
        rounds.append(sorted(calls))
        results = {}
        for index, call in calls.items():
            try:
                results[index] = call()
            except Exception as exc:
                results[index] = exc
        return results
    return gather


def test_a_drained_stream_is_fetched_with_those_expected_to_drain():
    asked: list[int] = []
    # a and b alternate at the top, c only comes last
    a = PodStream(pod(volumes('a', [100, 98, 96, 94, 92, 90]), asked),
                  ORDER, None, None, batch=3, skip_batch=50)
    b = PodStream(pod(volumes('b', [99, 97, 95, 93, 91]), asked), ORDER,
                  None, None, batch=3, skip_batch=50)
    c = PodStream(pod(volumes('c', [1, 2]), asked), ORDER, None, None,
                  batch=3, skip_batch=50)
    rounds: list[dict[int, Any]] = []

    page = merge_streams([a, b, c], 10, gather=recording_gather(rounds))

    assert [record['size'] for _, record in page] == [
        100, 99, 98, 97, 96, 95, 94, 93, 92, 91]
    # a batch's last record waits for the next (its block may go on): a
    # drains after 2 of the 3 shown; it is asked for 1.1 times its share
    # of the 7 left (6), and b (1 of 3 shown, 1 ready) with it, for at
    # least a batch; c, ended, is not asked
    assert rounds == [[0, 1]]
    assert asked == [3, 3, 3, 6, 3]


def test_a_failed_fetch_ends_its_stream_with_the_complete_blocks():
    def failing(marker, limit):
        if marker is not None:
            raise TimeoutError('slow')
        return volumes('a', [9, 8]), True

    a = PodStream(failing, ORDER, None, None, batch=2, skip_batch=2)
    b = PodStream(pod(volumes('b', [1, 7]), []), ORDER, None, None,
                  batch=2, skip_batch=2)

    page = merge_streams([a, b], 5, gather=recording_gather([]))

    # 8, the last of its batch, waited for the next (its block might
    # have gone on)
    assert [record['size'] for _, record in page] == [9, 7, 1]
    assert isinstance(a.failed, TimeoutError)


def test_keys_in_mixed_directions_compare_key_by_key():
    order = FieldOrder(('size', 'id'), (True, False), shown)
    keys = [order.key(r) for r in ({'size': 1, 'id': 'b'},
                                   {'size': 2, 'id': 'c'},
                                   {'size': 1, 'id': 'a'})]

    assert sorted(keys) == [keys[1], keys[2], keys[0]]


def test_a_block_ends_at_the_first_coarse_or_hidden_key():
    order = FieldOrder(('size', 'name', 'id'), (True, True, True), shown,
                       frozenset({'name'}))

    assert order.block({'size': 1, 'name': 'x', 'id': 'a'}) == (
        (1, 1), (2, 'x'))
    assert order.block({'size': 1, 'id': 'a'}) == ((1, 1), (0,))


def test_batch_size_shares_the_limit_with_a_margin():
    assert batch_size(1000, 4, 100) == 275
    assert batch_size(50, 4, 100) == 100
    assert batch_size(1000, 1, 100) == 1000


class Decoded(dict):
    """A decoded record whose freeing a test can see (a weak reference)."""


def test_written_streams_give_the_same_page_written_the_same_way():
    records = {'a': volumes('a', [3, 8, 1, 8, 5]), 'b': volumes('b', [8, 2])}

    def page(written: bool) -> list[tuple[int, Any]]:
        streams = [PodStream(pod(found, []), ORDER, None, None, batch=2,
                             skip_batch=2, written=written)
                   for found in records.values()]
        return merge_streams(streams, 6)

    plain, written = page(False), page(True)

    assert [(i, r['id']) for i, r in written] == [
        (i, r['id']) for i, r in plain]
    assert all(isinstance(r, jsoncodec.Written) for _, r in written)
    assert jsoncodec.dumps([r for _, r in written]) == jsoncodec.dumps(
        [r for _, r in plain])


def test_a_written_stream_frees_each_decoded_record_once_placed():
    batches = [[Decoded(r) for r in volumes('a', [4, 2])]]
    alive = [weakref.ref(record) for record in batches[0]]
    stream = PodStream(lambda marker, limit: (batches.pop(), False), ORDER,
                       None, None, batch=2, skip_batch=2, written=True)

    stream.head()

    assert [ref() for ref in alive] == [None, None]
    assert stream.pop()['id'] == 'a0'


def test_a_written_stream_writes_only_the_records_past_its_marker():
    records = volumes('a', [1, 5, 9, 7])
    # what JSON cannot write, in a record the marker skips
    records[2]['unwritable'] = object()
    stream = PodStream(pod(records, []), ORDER, None, ORDER.key(records[3]),
                       batch=10, skip_batch=10, written=True)

    page = merge_streams([stream], 10)

    assert [record['id'] for _, record in page] == ['a1', 'a0']
