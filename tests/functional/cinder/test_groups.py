"""Groups (3.13+) and group snapshots (3.14+) through the gateway against
real Cinder pods: a group in its zone's pod, its volumes and snapshots
in that pod, a group made from a group snapshot, merged lists, errors,
a pod down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_gone
from tests.functional.cinder.conftest import wait_status

VERSION = '3.14'
GROUP_TYPE = 'gw-group-type'


def post(conn: Any, path: str, body: Any, version: str = VERSION) -> Any:
    return conn.block_storage.post(path, json=body, microversion=version,
                                   raise_exc=False)


def get(conn: Any, path: str, **params: Any) -> Any:
    return conn.block_storage.get(path, params=params, microversion=VERSION,
                                  raise_exc=False)


def wait(conn: Any, path: str, key: str) -> Any:
    return wait_status(conn, path, key, microversion=VERSION)


def delete_group(conn: Any, group_id: str) -> None:
    post(conn, f'/groups/{group_id}/action',
         {'delete': {'delete-volumes': True}})
    wait_gone(conn, f'/groups/{group_id}', VERSION)


@pytest.fixture(scope='module')
def group_type(gateway: Any, admin: Any) -> Iterator[str]:
    """A public group type named alike in every pod."""
    made = []
    for pod in gateway.cloud.pods:
        url = f'{pod.volume_url}/{admin.current_project_id}/group_types'
        response = admin.session.post(url, json={'group_type': {
            'name': GROUP_TYPE, 'is_public': True}}, headers={
            'OpenStack-API-Version': 'volume 3.11'})
        assert response.status_code == 202, response.text
        made.append(f'{url}/{response.json()["group_type"]["id"]}')
    yield GROUP_TYPE
    for url in made:
        admin.session.delete(url, headers={
            'OpenStack-API-Version': 'volume 3.11'}, raise_exc=False)


@pytest.fixture(scope='module')
def volume_type(demo: Any) -> str:
    return str(demo.block_storage.get('/types').json()[
        'volume_types'][0]['name'])


@pytest.fixture(scope='module')
def group(demo: Any, group_type: str,
          volume_type: str) -> Iterator[dict[str, Any]]:
    """An available group in az2 (pod 2)."""
    response = post(demo, '/groups', {'group': {
        'name': 'g-az2', 'group_type': group_type,
        'volume_types': [volume_type], 'availability_zone': 'az2'}})
    assert response.status_code == 202, response.text
    group_id = response.json()['group']['id']
    try:
        yield wait(demo, f'/groups/{group_id}', 'group')
    finally:
        delete_group(demo, group_id)


def test_group_lives_in_its_zones_pod(gateway, demo, admin_session, group):
    [row] = routing_rows(gateway, admin_session, top_id=group['id'])
    assert (row['resource_type'], row['pod_name']) == (
        'group', gateway.cloud.pods[1].region)
    assert group['availability_zone'] == 'az2'


def test_volumes_snapshots_and_copies_stay_in_the_groups_pod(
        gateway, demo, admin_session, group, volume_type):
    pod2 = gateway.cloud.pods[1].region
    made = post(demo, '/volumes', {'volume': {
        'size': 1, 'group_id': group['id'], 'volume_type': volume_type}})
    assert made.status_code == 202, made.text
    volume_id = made.json()['volume']['id']
    wait(demo, f'/volumes/{volume_id}', 'volume')
    snapped = post(demo, '/group_snapshots', {'group_snapshot': {
        'group_id': group['id'], 'name': 'gs'}})
    assert snapped.status_code == 202, snapped.text
    snapshot_id = snapped.json()['group_snapshot']['id']
    wait(demo, f'/group_snapshots/{snapshot_id}', 'group_snapshot')
    copied = post(demo, '/groups/action', {'create-from-src': {
        'group_snapshot_id': snapshot_id, 'name': 'copy'}})
    assert copied.status_code == 202, copied.text
    copy_id = copied.json()['group']['id']
    try:
        wait(demo, f'/groups/{copy_id}', 'group')
        for top_id, kind in ((volume_id, 'volume'),
                             (snapshot_id, 'group_snapshot'),
                             (copy_id, 'group')):
            [row] = routing_rows(gateway, admin_session, top_id=top_id)
            assert (row['resource_type'], row['pod_name']) == (kind, pod2)
        listed = get(demo, '/group_snapshots/detail').json()
        assert snapshot_id in [s['id'] for s in listed['group_snapshots']]
        groups = get(demo, '/groups/detail').json()['groups']
        assert {group['id'], copy_id} <= {g['id'] for g in groups}
        page = get(demo, '/groups', limit=1).json()
        assert len(page['groups']) == 1
        assert page['group_links'][0]['href'].startswith(gateway.url)
    finally:
        delete_group(demo, copy_id)
        deleted = demo.block_storage.delete(
            f'/group_snapshots/{snapshot_id}', microversion=VERSION)
        assert deleted.status_code == 202
        wait_gone(demo, f'/group_snapshots/{snapshot_id}', VERSION)
    assert routing_rows(gateway, admin_session, top_id=snapshot_id) == []
    assert routing_rows(gateway, admin_session, top_id=copy_id) == []


def test_errors_are_cinders(demo, group_type, volume_type):
    missing = str(uuid.uuid4())
    zone = post(demo, '/groups', {'group': {
        'group_type': group_type, 'volume_types': [volume_type],
        'availability_zone': 'mars'}})
    assert zone.json() == {'badRequest': {
        'code': 400, 'message': "Availability zone 'mars' is invalid."}}
    old = get(demo, '/groups')
    assert old.status_code == 200
    older = demo.block_storage.get('/groups', microversion='3.12',
                                   raise_exc=False)
    assert older.json() == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}
    snap = post(demo, '/group_snapshots', {'group_snapshot': {
        'group_id': missing}})
    assert snap.json() == {'itemNotFound': {
        'code': 404, 'message': f'Group {missing} could not be found.'}}
    unknown = get(demo, f'/group_snapshots/{missing}')
    assert unknown.json()['itemNotFound']['message'] == (
        f'GroupSnapshot {missing} could not be found.')
    no_source = post(demo, '/groups/action', {'create-from-src': {
        'name': 'x'}})
    assert no_source.status_code == 400


def test_down_pod_groups_are_503_and_lists_partial(demo, group, pod2_down):
    listed = get(demo, '/groups')
    assert listed.headers['X-Trio2o-Partial'] == 'Pod2'
    assert group['id'] not in [g['id'] for g in listed.json()['groups']]
    shown = get(demo, f'/groups/{group["id"]}')
    assert shown.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
