"""Backups through the gateway against real Cinder pods: made in their
volume's pod, merged in lists, restored in their own pod, their admin
actions passed through, a pod down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import VOLUME_VERSION
from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_gone
from tests.functional.cinder.conftest import wait_status
from tests.functional.nova.conftest import wait_for


def make_backup(conn: Any, volume_id: str, name: str) -> dict[str, Any]:
    """Back ``volume_id`` up and return the backup once available."""
    response = conn.block_storage.post('/backups', json={'backup': {
        'volume_id': volume_id, 'name': name}})
    assert response.status_code == 202, response.text
    backup_id = response.json()['backup']['id']
    backup = wait_status(conn, f'/backups/{backup_id}', 'backup')
    wait_status(conn, f'/volumes/{volume_id}', 'volume')
    return backup


def delete_backup(conn: Any, backup_id: str) -> None:
    conn.block_storage.delete(f'/backups/{backup_id}', raise_exc=False)
    wait_gone(conn, f'/backups/{backup_id}')


@pytest.fixture(scope='module')
def backups(demo: Any, volumes: list[dict[str, Any]]
            ) -> Iterator[list[dict[str, Any]]]:
    """One available backup of each pod's volume (named b-az1, b-az2)."""
    made: list[dict[str, Any]] = []
    try:
        for zone, volume in zip(('az1', 'az2'), volumes, strict=True):
            made.append(make_backup(demo, volume['id'], f'b-{zone}'))
        yield made
    finally:
        for backup in made:
            delete_backup(demo, backup['id'])


def _ids(response: Any, key: str = 'backups') -> list[str]:
    return [record['id'] for record in response.json()[key]]


def test_backup_lives_in_its_volumes_pod(gateway, demo, admin_session,
                                         volumes, backups):
    for backup, volume, pod in zip(backups, volumes, gateway.cloud.pods,
                                   strict=True):
        [row] = routing_rows(gateway, admin_session, top_id=backup['id'])
        assert (row['resource_type'], row['pod_name'], row['status']) == (
            'backup', pod.region, 'active')
        assert backup['volume_id'] == volume['id']
        assert backup['links'][0]['href'].startswith(gateway.url)


def test_list_merges_both_pods_in_cinders_order(demo, backups):
    ids = {backup['id'] for backup in backups}
    detail = demo.block_storage.get('/backups/detail',
                                    params={'sort': 'name:asc'}).json()
    names = [b['name'] for b in detail['backups'] if b['id'] in ids]
    assert names == ['b-az1', 'b-az2']
    summary = demo.block_storage.get('/backups').json()['backups']
    assert {b['id'] for b in summary} >= ids
    assert all(set(b) == {'id', 'links', 'name'} for b in summary)


def test_pages_follow_the_gateways_next_links(gateway, demo, backups):
    first = demo.block_storage.get('/backups', params={
        'sort': 'created_at:asc', 'limit': 1}).json()
    seen = [b['id'] for b in first['backups']]
    link = first['backups_links'][0]['href']
    assert link.startswith(gateway.url + '/volume/v3/')
    while link:
        page = demo.session.get(link).json()
        seen += [b['id'] for b in page['backups']]
        links = page.get('backups_links')
        link = links[0]['href'] if links else None
    assert len(seen) == len(set(seen))
    assert [b['id'] for b in backups] == [i for i in seen
                                          if i in {b['id'] for b in backups}]


def test_count_is_the_sum_of_the_pods(demo, backups):
    body = demo.block_storage.get('/backups/detail', params={
        'with_count': 'true'}, microversion=VOLUME_VERSION).json()
    assert body['count'] == len(body['backups']) >= 2


def test_other_projects_do_not_see_the_backups(alt, backups):
    listed = _ids(alt.block_storage.get('/backups'))
    assert not {b['id'] for b in backups} & set(listed)
    shown = alt.block_storage.get(f'/backups/{backups[0]["id"]}',
                                  raise_exc=False)
    assert shown.status_code == 404


def test_update_and_export_record(demo, admin, backups):
    path = f'/backups/{backups[1]["id"]}'
    updated = demo.block_storage.put(path, json={'backup': {
        'description': 'nightly'}}, microversion='3.9')
    assert updated.status_code == 200
    assert demo.block_storage.get(path).json()['backup'][
        'description'] == 'nightly'
    exported = admin.block_storage.get(f'{path}/export_record')
    record = exported.json()['backup-record']
    assert record['backup_service'] and record['backup_url']
    refused = demo.block_storage.get(f'{path}/export_record',
                                     raise_exc=False)
    assert refused.status_code == 403


def test_unknown_and_malformed_are_cinders_errors(demo):
    missing = str(uuid.uuid4())
    shown = demo.block_storage.get(f'/backups/{missing}', raise_exc=False)
    assert shown.json() == {'itemNotFound': {
        'code': 404, 'message': f'Backup {missing} could not be found.'}}
    made = demo.block_storage.post('/backups', json={'backup': {
        'volume_id': missing}}, raise_exc=False)
    assert made.json() == {'itemNotFound': {
        'code': 404, 'message': f'Volume {missing} could not be found.'}}
    bad = demo.block_storage.post('/backups', json={'backup': {
        'name': 'x'}}, raise_exc=False)
    assert bad.status_code == 400
    assert "'volume_id' is a required property" in bad.json()[
        'badRequest']['message']


def test_restore_into_a_new_volume_routes_it_to_the_backups_pod(
        gateway, demo, admin_session, backups):
    response = demo.block_storage.post(
        f'/backups/{backups[1]["id"]}/restore', json={'restore': {
            'name': 'restored'}})
    assert response.status_code == 202, response.text
    restore = response.json()['restore']
    assert restore['backup_id'] == backups[1]['id']
    volume_id = restore['volume_id']
    try:
        [row] = routing_rows(gateway, admin_session, top_id=volume_id)
        assert (row['resource_type'], row['pod_name']) == (
            'volume', gateway.cloud.pods[1].region)
        wait_status(demo, f'/volumes/{volume_id}', 'volume')
        wait_status(demo, f'/backups/{backups[1]["id"]}', 'backup')
    finally:
        delete_volume(demo, volume_id)


def test_restore_into_a_volume_of_another_pod_is_refused(demo, volumes,
                                                         backups):
    path = f'/backups/{backups[1]["id"]}/restore'
    response = demo.block_storage.post(path, json={'restore': {
        'volume_id': volumes[0]['id']}}, raise_exc=False)
    assert response.json() == {'badRequest': {'code': 400, 'message': (
        f'Invalid volume: Volume {volumes[0]["id"]} is not in the pod of '
        f'backup {backups[1]["id"]}: a backup can only be restored into '
        'a volume of its own pod.')}}
    unknown = str(uuid.uuid4())
    response = demo.block_storage.post(path, json={'restore': {
        'volume_id': unknown}}, raise_exc=False)
    assert response.status_code == 404


def test_restore_into_a_volume_of_its_pod(demo, volumes, backups):
    response = demo.block_storage.post(
        f'/backups/{backups[0]["id"]}/restore', json={'restore': {
            'volume_id': volumes[0]['id']}})
    assert response.status_code == 202
    assert response.json()['restore']['volume_id'] == volumes[0]['id']
    wait_status(demo, f'/volumes/{volumes[0]["id"]}', 'volume')
    wait_status(demo, f'/backups/{backups[0]["id"]}', 'backup')


def test_admin_actions_pass_through(gateway, demo, admin, admin_session,
                                    volumes):
    backup = make_backup(demo, volumes[1]['id'], 'doomed')
    path = f'/backups/{backup["id"]}'
    refused = demo.block_storage.post(f'{path}/action', json={
        'os-reset_status': {'status': 'error'}}, raise_exc=False)
    assert refused.status_code == 403
    reset = admin.block_storage.post(f'{path}/action', json={
        'os-reset_status': {'status': 'error'}})
    assert reset.status_code == 202
    wait_for(lambda: demo.block_storage.get(path).json()['backup'][
        'status'] == 'error', 'backup reset to error')
    deleted = admin.block_storage.post(f'{path}/action', json={
        'os-force_delete': {}})
    assert deleted.status_code == 202
    wait_gone(demo, path)
    assert routing_rows(gateway, admin_session, top_id=backup['id']) == []


def test_delete_leaves_deleting_until_the_pod_has_it_gone(
        gateway, demo, admin_session, volumes):
    backup = make_backup(demo, volumes[0]['id'], 'short-lived')
    path = f'/backups/{backup["id"]}'
    assert demo.block_storage.delete(path).status_code == 202
    rows = routing_rows(gateway, admin_session, top_id=backup['id'])
    assert [row['status'] for row in rows] in ([], ['deleting'])
    wait_gone(demo, path)
    assert routing_rows(gateway, admin_session, top_id=backup['id']) == []


def test_down_pod_backups_are_503_and_lists_partial(demo, backups,
                                                    pod2_down):
    response = demo.block_storage.get('/backups')
    assert response.headers['X-Trio2o-Partial'] == 'Pod2'
    assert backups[0]['id'] in _ids(response)
    assert backups[1]['id'] not in _ids(response)
    shown = demo.block_storage.get(f'/backups/{backups[1]["id"]}',
                                   raise_exc=False)
    assert shown.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
