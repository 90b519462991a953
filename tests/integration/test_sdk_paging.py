"""openstacksdk pages the server and volume lists through the gateway
over three real Nova and Cinder pods: in global order, with no gap and no
duplicate, for random page sizes and starting markers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess

ZONES = ('az1', 'az2', 'az3', 'az1', 'az2', 'az3', 'az1', 'az2', 'az3')


@pytest.fixture(scope='module')
def three_pods(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[GatewayProcess]:
    """A gateway in front of its own cloud of three Nova and three Cinder
    pods."""
    workdir: Path = tmp_path_factory.mktemp('three-pods')
    with LocalCloud(nova_pods=3, cinder_pods=3, computes_per_pod=1,
                    workdir=workdir / 'cloud') as cloud:
        gateway = GatewayProcess(cloud, workdir / 'gateway')
        gateway.start()
        try:
            yield gateway
        finally:
            gateway.stop()


@pytest.fixture(scope='module')
def listed(three_pods: GatewayProcess) -> tuple[object, list[str]]:
    """The demo user's connection and the ids of nine servers, three per
    pod, as one unpaged list returns them."""
    conn = three_pods.connection(three_pods.cloud.users[0])
    made = {boot(conn, zone).id for zone in ZONES}
    whole = list(conn.compute.servers(details=True))
    assert {s.id for s in whole} == made
    ordered = sorted(whole, key=lambda s: (s.created_at, s.id), reverse=True)
    assert [s.id for s in whole] == [s.id for s in ordered]
    return conn, [s.id for s in whole]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=10),
       start=st.none() | st.integers(min_value=0, max_value=8),
       details=st.booleans())
def test_pages_cover_the_list_once_in_order(listed, limit, start, details):
    conn, ids = listed
    marker = None if start is None else ids[start]
    paged = [s.id for s in conn.compute.servers(
        details=details, limit=limit, marker=marker)]
    expected = ids if start is None else ids[start + 1:]
    assert paged == expected


@pytest.fixture(scope='module')
def volumes(three_pods: GatewayProcess) -> tuple[object, list[str]]:
    """The demo user's connection and the ids of nine volumes, three per
    pod, as one unpaged list returns them (Cinder's default order:
    newest first)."""
    conn = three_pods.connection(three_pods.cloud.users[0])
    made = set()
    for index, zone in enumerate(ZONES):
        volume = conn.block_storage.create_volume(
            size=1, availability_zone=zone, name=f'page-{index}')
        made.add(volume.id)
    wait_for(lambda: all(v.status == 'available'
                         for v in conn.block_storage.volumes()
                         if v.id in made), 'nine volumes available')
    whole = list(conn.block_storage.volumes(details=True))
    assert {v.id for v in whole} == made
    ordered = sorted(whole, key=lambda v: (v.created_at, v.id), reverse=True)
    assert [v.id for v in whole] == [v.id for v in ordered]
    return conn, [v.id for v in whole]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=10),
       start=st.none() | st.integers(min_value=0, max_value=8),
       details=st.booleans())
def test_volume_pages_cover_the_list_once_in_order(volumes, limit, start,
                                                   details):
    conn, ids = volumes
    marker = None if start is None else ids[start]
    paged = [v.id for v in conn.block_storage.volumes(
        details=details, limit=limit, marker=marker)]
    expected = ids if start is None else ids[start + 1:]
    assert paged == expected
