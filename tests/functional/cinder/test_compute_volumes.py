"""Servers and volumes through the gateway, against real Nova and Cinder
pods (one Cinder per pod): attachments stay in one pod, and a server
booted from a volume or snapshot is made in the volume's pod."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_status
from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import pair  # noqa: F401
from tests.functional.nova.conftest import wait_for
from tests.functional.nova.conftest import wait_gone as wait_server_gone


def attach(conn, server_id, volume_id):
    return conn.compute.post(
        f'/servers/{server_id}/os-volume_attachments',
        json={'volumeAttachment': {'volumeId': volume_id}}, raise_exc=False)


def test_a_volume_of_another_pod_cannot_be_attached(
        demo, pair, volumes):  # noqa: F811
    response = attach(demo, pair[0].id, volumes[1]['id'])
    assert response.status_code == 409
    assert response.json() == {'conflictingRequest': {
        'code': 409,
        'message': f"Volume {volumes[1]['id']} cannot be attached to server "
                   f'{pair[0].id}: a volume cannot be attached to a server '
                   'of another pod.'}}
    volume = demo.block_storage.get(f"/volumes/{volumes[1]['id']}").json()
    assert volume['volume']['status'] == 'available'


def test_a_volume_of_the_server_s_pod_is_attached_by_the_pod(
        demo, pair, volumes):  # noqa: F811
    response = attach(demo, pair[1].id, volumes[1]['id'])
    assert response.status_code == 200, response.text
    assert response.json()['volumeAttachment']['volumeId'] == \
        volumes[1]['id']
    wait_status(demo, f"/volumes/{volumes[1]['id']}", 'volume', 'in-use')
    detached = demo.compute.delete(
        f"/servers/{pair[1].id}/os-volume_attachments/{volumes[1]['id']}",
        raise_exc=False)
    assert detached.status_code == 202
    wait_status(demo, f"/volumes/{volumes[1]['id']}", 'volume')


def boot(conn, source_type, source_id, **fields):
    return conn.compute.post('/servers', json={'server': {
        'name': f'bfv-{uuid.uuid4().hex[:8]}', 'flavorRef': FLAVOR_ID,
        'networks': 'none', 'block_device_mapping_v2': [{
            'boot_index': 0, 'uuid': source_id, 'source_type': source_type,
            'destination_type': 'volume',
            'delete_on_termination': source_type == 'snapshot',
            **({'volume_size': 1} if source_type == 'snapshot' else {})}],
        **fields}}, raise_exc=False,
        headers={'OpenStack-API-Version': 'compute 2.67'})


@pytest.fixture(scope='module')
def bootable(demo, volumes):
    """The demo user's volume in pod 2, marked bootable."""
    response = demo.block_storage.post(
        f"/volumes/{volumes[1]['id']}/action",
        json={'os-set_bootable': {'bootable': True}}, raise_exc=False)
    assert response.status_code == 200, response.text
    return volumes[1]


@pytest.fixture(scope='module')
def snapshot(demo, bootable):
    """A snapshot of the bootable volume."""
    response = demo.block_storage.post('/snapshots', json={'snapshot': {
        'volume_id': bootable['id'], 'name': 'bfv'}})
    snapshot_id = response.json()['snapshot']['id']
    yield wait_status(demo, f'/snapshots/{snapshot_id}', 'snapshot')
    demo.block_storage.delete(f'/snapshots/{snapshot_id}', raise_exc=False)


@pytest.mark.parametrize('source', ['volume', 'snapshot'])
def test_boot_from_a_volume_or_snapshot_is_made_in_its_pod(
        gateway, demo, admin, admin_session, bootable, snapshot, source):
    source_id = bootable['id'] if source == 'volume' else snapshot['id']
    response = boot(demo, source, source_id)
    assert response.status_code == 202, response.text
    server_id = response.json()['server']['id']
    try:
        [row] = routing_rows(gateway, admin_session, top_id=server_id)
        assert row['pod_name'] == gateway.cloud.pods[1].region
    finally:
        admin.compute.delete_server(server_id, ignore_missing=True)
        wait_server_gone(admin, server_id)
        # the volume Nova made from the snapshot is not routed: wait until
        # the pod deleted it with the server
        wait_for(lambda: _counted(demo) == len(
            demo.block_storage.get('/volumes').json()['volumes']),
            'unrouted boot volume deleted')


def _counted(conn):
    return conn.block_storage.get('/volumes', params={'with_count': 'true'},
                                  microversion='3.45').json()['count']


def test_boot_from_a_volume_in_another_zone_is_400(demo, volumes):
    response = boot(demo, 'volume', volumes[1]['id'],
                    availability_zone='az1')
    assert response.status_code == 400
    assert response.json() == {'badRequest': {
        'code': 400,
        'message': 'Server and volumes are not in the same availability '
                   'zone. Server is in: az1. Volumes are in: az2'}}
