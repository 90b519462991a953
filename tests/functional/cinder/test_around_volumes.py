"""Snapshots, zones, limits and volume types through the gateway."""

from __future__ import annotations

import uuid

from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_gone
from tests.functional.cinder.conftest import wait_status


def test_snapshot_lives_in_its_volumes_pod(gateway, demo, admin_session,
                                           volumes):
    response = demo.block_storage.post('/snapshots', json={'snapshot': {
        'volume_id': volumes[1]['id'], 'name': 'snap'}})
    assert response.status_code == 202
    snapshot_id = response.json()['snapshot']['id']
    path = f'/snapshots/{snapshot_id}'
    wait_status(demo, path, 'snapshot')
    [row] = routing_rows(gateway, admin_session, top_id=snapshot_id)
    assert (row['resource_type'], row['pod_name']) == (
        'snapshot', gateway.cloud.pods[1].region)
    listed = demo.block_storage.get('/snapshots/detail').json()['snapshots']
    assert snapshot_id in [s['id'] for s in listed]
    assert demo.block_storage.post(f'{path}/metadata', json={
        'metadata': {'a': 'b'}}).json() == {'metadata': {'a': 'b'}}
    assert demo.block_storage.delete(path).status_code == 202
    wait_gone(demo, path)
    assert routing_rows(gateway, admin_session, top_id=snapshot_id) == []


def test_snapshot_of_unknown_volume_is_404(demo):
    volume_id = str(uuid.uuid4())
    response = demo.block_storage.post('/snapshots', json={'snapshot': {
        'volume_id': volume_id}}, raise_exc=False)
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': f'Volume {volume_id} could not be found.'}}


def test_zones_are_the_users_zones(demo):
    body = demo.block_storage.get('/os-availability-zone').json()
    assert body == {'availabilityZoneInfo': [
        {'zoneName': 'az1', 'zoneState': {'available': True}},
        {'zoneName': 'az2', 'zoneState': {'available': True}}]}


def test_limits_are_summed_over_the_pods(gateway, demo, volumes):
    absolute = demo.block_storage.get('/limits').json()['limits']['absolute']
    per_pod = []
    for pod in gateway.cloud.pods:
        per_pod.append(demo.session.get(
            f'{pod.volume_url}/{demo.current_project_id}/limits'
        ).json()['limits']['absolute'])
    assert absolute['totalVolumesUsed'] == sum(
        p['totalVolumesUsed'] for p in per_pod) >= 2
    assert absolute['maxTotalVolumes'] == sum(
        p['maxTotalVolumes'] for p in per_pod)


def test_types_are_merged_by_name(demo):
    types = demo.block_storage.get('/types').json()['volume_types']
    names = [t['name'] for t in types]
    assert names == sorted(set(names)) and names
    shown = demo.block_storage.get(f'/types/{types[0]["id"]}').json()
    assert shown['volume_type']['name'] == names[0]
    missing = demo.block_storage.get('/types/nope', raise_exc=False)
    assert missing.json() == {'itemNotFound': {
        'code': 404, 'message': 'Volume type nope could not be found.'}}
