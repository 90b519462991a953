"""The generic merge engine, with an order of another service's keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import FieldOrder
from trio2o_core.plugin import PodStream
from trio2o_core.plugin import batch_size
from trio2o_core.plugin import comparable
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

    page = merge_streams([a, b], ORDER, 4)

    assert [record['size'] for _, record in page] == [9, 6, 5, 4]
    assert asked == [2, 2, 2]


def test_marker_and_allowed_ids_are_skipped():
    records = volumes('a', [1, 5, 9, 7])
    after = ORDER.key(records[2])
    stream = PodStream(pod(records, []), ORDER, {'a0', 'a1'}, after,
                       batch=10, skip_batch=10)

    page = merge_streams([stream], ORDER, 10)

    assert [record['id'] for _, record in page] == ['a1', 'a0']


def test_a_callable_filter_is_asked_once_per_batch():
    asked: list[list[str]] = []

    def keep(ids: list[str]) -> set[str]:
        asked.append(ids)
        return {'a1', 'a3'}

    stream = PodStream(pod(volumes('a', [1, 5, 9, 7]), []), ORDER, keep,
                       None, batch=2, skip_batch=2)

    page = merge_streams([stream], ORDER, 10)

    assert [record['id'] for _, record in page] == ['a3', 'a1']
    assert asked == [['a2', 'a3'], ['a1', 'a0']]


def test_batch_size_shares_the_limit_with_a_margin():
    assert batch_size(1000, 4, 100) == 275
    assert batch_size(50, 4, 100) == 100
    assert batch_size(1000, 1, 100) == 1000
