"""Fixtures of the block-storage gateway's tests against real Cinder
pods: SDK connections through the gateway, volumes made in each pod's
zone, bounded waits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from openstack import exceptions as sdk_exc

from tests.functional.nova.conftest import Connection
from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import admin_session  # noqa: F401
from tests.functional.nova.conftest import alt  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
from tests.functional.nova.conftest import wait_for

#: the zone users see for pod 1 and pod 2
ZONES = ('az1', 'az2')
VOLUME_VERSION = '3.71'


def wait_status(conn: Connection, path: str, key: str,
                status: str = 'available',
                microversion: str | None = None) -> dict[str, Any]:
    """Return the record at ``path`` once in ``status`` (fail at once on
    ``error``)."""
    def ready() -> dict[str, Any] | None:
        record = conn.block_storage.get(
            path, microversion=microversion).json()[key]
        assert record['status'] != 'error', f'{path} went to error'
        return record if record['status'] == status else None
    return wait_for(ready, f'{path} {status}')


def wait_gone(conn: Connection, path: str,
              microversion: str | None = None) -> None:
    """Return once ``conn`` answers 404 for ``path``."""
    wait_for(lambda: conn.block_storage.get(
        path, raise_exc=False, microversion=microversion
    ).status_code == 404, f'{path} gone')


def make_volume(conn: Connection, zone: str | None,
                **fields: Any) -> dict[str, Any]:
    """Create a 1 GiB volume (in ``zone``) and return it available."""
    volume = {'size': 1, 'name': f'gw-{zone}-{uuid.uuid4().hex[:8]}',
              **fields}
    if zone is not None:
        volume['availability_zone'] = zone
    response = conn.block_storage.post('/volumes', json={'volume': volume})
    assert response.status_code == 202, response.text
    volume_id = response.json()['volume']['id']
    return wait_status(conn, f'/volumes/{volume_id}', 'volume')


def delete_volume(conn: Connection, volume_id: str) -> None:
    """Delete a volume (its snapshots first) and wait until gone."""
    try:
        conn.block_storage.delete(f'/volumes/{volume_id}',
                                  params={'cascade': 'true'})
    except sdk_exc.NotFoundException:
        return
    wait_gone(conn, f'/volumes/{volume_id}')


@pytest.fixture(scope='module')
def volumes(demo: Connection) -> Iterator[list[dict[str, Any]]]:  # noqa: F811
    """One available volume of the demo user in each pod (az1, az2)."""
    made: list[dict[str, Any]] = []
    try:
        for zone in ZONES:
            made.append(make_volume(demo, zone))
        yield made
    finally:
        for volume in made:
            delete_volume(demo, volume['id'])


@pytest.fixture
def pod2_down(gateway: Any, demo: Connection,  # noqa: F811
              volumes: list[dict[str, Any]]) -> Iterator[None]:
    """Pod 2 refuses connections for the test."""
    proxy = gateway.cloud.pods[1].proxy
    proxy.refuse()
    try:
        yield
    finally:
        proxy.clear()
        wait_for(lambda: demo.block_storage.get(
            f'/volumes/{volumes[1]["id"]}', raise_exc=False
        ).status_code == 200, 'pod 2 reachable again')


def routing_rows(gateway: Any, session: Any, top_id: str | None = None,
                 resource_type: str | None = None) -> list[dict[str, Any]]:
    """The gateway's routing rows (of ``top_id``, of ``resource_type``),
    each with its pod's name."""
    params = {'resource_type': resource_type} if resource_type else {}
    rows = session.get(gateway.url + '/admin/v1/routings',
                       params=params).json()['routings']
    names = {pod['id']: pod['name'] for pod in session.get(
        gateway.url + '/admin/v1/pods').json()['pods']}
    return [{**row, 'pod_name': names.get(row['pod_id'])} for row in rows
            if top_id is None or row['top_id'] == top_id]
