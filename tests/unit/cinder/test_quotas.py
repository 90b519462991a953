"""Quota sets summed over pods: limits added (-1 stays -1), usage
added, the per-volume cap the smallest."""

from __future__ import annotations

from trio2o_plugins.cinder.quotas import add_quotas


def test_limits_are_added_and_unlimited_wins():
    total: dict = {}
    add_quotas(total, {'id': 'p', 'volumes': 10, 'gigabytes': -1,
                       'per_volume_gigabytes': -1})
    add_quotas(total, {'id': 'p', 'volumes': 5, 'gigabytes': 100,
                       'per_volume_gigabytes': 50})
    assert total == {'id': 'p', 'volumes': 15, 'gigabytes': -1,
                     'per_volume_gigabytes': 50}


def test_usage_is_added_under_the_summed_limit():
    total: dict = {}
    for in_use, limit in ((1, 10), (2, 10)):
        add_quotas(total, {'volumes': {'limit': limit, 'in_use': in_use,
                                       'reserved': 0, 'allocated': 0}})
    assert total == {'volumes': {'limit': 20, 'in_use': 3, 'reserved': 0,
                                 'allocated': 0}}


def test_the_per_volume_cap_is_the_smallest_limited_one():
    total: dict = {}
    for cap in (-1, 30, 20):
        add_quotas(total, {'per_volume_gigabytes': {'limit': cap,
                                                    'in_use': 0}})
    assert total['per_volume_gigabytes'] == {'limit': 20, 'in_use': 0}
