"""The compute API's volume and snapshot proxy (``/os-volumes``,
``/os-snapshots``, before 2.36) through the gateway against two real
Nova and Cinder pods: each call in the pod of its volume or snapshot,
lists merged, creates routed as the block-storage API routes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openstack import exceptions as sdk_exc

from tests.functional.nova.conftest import Connection
from tests.functional.nova.conftest import routings
from tests.functional.nova.conftest import wait_for

VERSION = '2.35'


def pod_of(gateway: Any, session: Any, resource_type: str,
           top_id: str) -> str | None:
    """The name of the pod the gateway routes ``top_id`` to (None when
    it is not routed)."""
    rows = [row for row in routings(gateway, session,
                                    resource_type=resource_type)
            if row['top_id'] == top_id]
    if not rows:
        return None
    pod = session.get(f"{gateway.url}/admin/v1/pods/{rows[0]['pod_id']}")
    return pod.json()['pod']['name']


def call(conn: Connection, method: str, path: str, **kwargs: Any) -> Any:
    return conn.compute.request(path, method, microversion=VERSION,
                                raise_exc=False, **kwargs)


def status(conn: Connection, collection: str, item_id: str) -> Any:
    response = call(conn, 'GET', f'/{collection}/{item_id}')
    if response.status_code == 404:
        return 'gone'
    return response.json()[collection.removeprefix('os-')[:-1]]['status']


@pytest.fixture
def volumes(demo: Connection) -> Iterator[list[str]]:
    """Ids of the volumes a test makes; deleted afterwards."""
    made: list[str] = []
    yield made
    for volume_id in made:
        wait_for(lambda v=volume_id: status(demo, 'os-volumes', v) in (
            'available', 'error', 'gone'), f'{volume_id} settled')
        try:
            demo.block_storage.delete_volume(volume_id)
        except sdk_exc.NotFoundException:
            pass


def make(demo: Connection, volumes: list[str], zone: str) -> dict[str, Any]:
    response = call(demo, 'POST', '/os-volumes', json={'volume': {
        'size': 1, 'display_name': f'proxy-{zone}',
        'availability_zone': zone}})
    assert response.status_code == 200, response.text
    volume = response.json()['volume']
    volumes.append(volume['id'])
    wait_for(lambda: status(demo, 'os-volumes', volume['id']) ==
             'available', f"{volume['id']} available")
    return volume


def test_volumes_made_in_their_zone_s_pod_and_listed(demo, alt, admin_session,
                                                     gateway, volumes):
    made = [make(demo, volumes, zone) for zone in ('az1', 'az2')]

    assert [pod_of(gateway, admin_session, 'volume', v['id'])
            for v in made] == ['Pod1', 'Pod2']
    assert [v['availabilityZone'] for v in made] == ['az1', 'az2']
    shown = call(demo, 'GET', f"/os-volumes/{made[1]['id']}").json()
    assert shown['volume']['displayName'] == 'proxy-az2'
    assert shown['volume']['availabilityZone'] == 'az2'
    listed = call(demo, 'GET', '/os-volumes/detail').json()['volumes']
    ids = [v['id'] for v in listed]
    assert {v['id'] for v in made} <= set(ids)
    assert ids.index(made[1]['id']) < ids.index(made[0]['id'])
    page = call(demo, 'GET', '/os-volumes', params={
        'offset': 1, 'limit': 1}).json()['volumes']
    assert [v['id'] for v in page] == ids[1:2]
    assert demo.block_storage.get_volume(made[1]['id']).name == 'proxy-az2'
    other = call(alt, 'GET', f"/os-volumes/{made[0]['id']}")
    assert other.status_code == 404
    theirs = call(alt, 'GET', '/os-volumes').json()['volumes']
    assert not {v['id'] for v in made} & {v['id'] for v in theirs}


def test_snapshot_in_its_volume_s_pod(demo, gateway, admin_session,
                                      volumes):
    volume = make(demo, volumes, 'az2')

    response = call(demo, 'POST', '/os-snapshots', json={'snapshot': {
        'volume_id': volume['id'], 'display_name': 'proxy-snap'}})

    assert response.status_code == 200, response.text
    snapshot = response.json()['snapshot']
    assert snapshot['volumeId'] == volume['id']
    assert pod_of(gateway, admin_session, 'snapshot',
                  snapshot['id']) == 'Pod2'
    wait_for(lambda: status(demo, 'os-snapshots', snapshot['id']) ==
             'available', 'snapshot available')
    listed = call(demo, 'GET', '/os-snapshots').json()['snapshots']
    assert snapshot['id'] in [s['id'] for s in listed]

    deleted = call(demo, 'DELETE', f"/os-snapshots/{snapshot['id']}")

    assert deleted.status_code == 202
    wait_for(lambda: status(demo, 'os-snapshots', snapshot['id']) ==
             'gone', 'snapshot gone')
    assert pod_of(gateway, admin_session, 'snapshot',
                  snapshot['id']) is None


def test_nova_s_answers_for_unknown_ids_and_bad_input(demo):
    missing = call(demo, 'GET', '/os-volumes/nothing')
    empty_id = call(demo, 'GET', '/os-volumes/')
    deleted = call(demo, 'DELETE', '/os-snapshots/nothing')
    no_size = call(demo, 'POST', '/os-volumes', json={'volume': {
        'display_name': 'x'}})
    bad_offset = call(demo, 'GET', '/os-volumes', params={'offset': 'x'})
    bad_zone = call(demo, 'POST', '/os-volumes', json={'volume': {
        'size': 1, 'availability_zone': 'nowhere'}})
    snapshot_of_nothing = call(demo, 'POST', '/os-snapshots', json={
        'snapshot': {'volume_id': 'nothing'}})
    later = demo.compute.get('/os-volumes', microversion='2.36',
                             raise_exc=False)

    assert missing.json()['itemNotFound']['message'] == (
        'Volume nothing could not be found.')
    assert empty_id.status_code == 404
    assert deleted.json()['itemNotFound']['message'] == (
        'Snapshot nothing could not be found.')
    assert no_size.status_code == 400 and 'badRequest' in no_size.json()
    assert bad_offset.json()['badRequest']['message'] == (
        'offset param must be an integer')
    assert bad_zone.status_code == 400
    assert snapshot_of_nothing.status_code == 404
    assert later.status_code == 404
