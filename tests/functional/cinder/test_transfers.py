"""Volume transfers through the gateway between two projects, over real
Cinder pods: the volume (and its snapshots) change hands in the routing
table as they do in the pod."""

from __future__ import annotations

import pytest

from tests.functional.cinder.conftest import VOLUME_VERSION
from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_status

V = {'microversion': VOLUME_VERSION}


@pytest.fixture
def given(demo, alt):
    """A volume of the demo project in pod 2 with one snapshot; deleted
    at the end by whichever project holds it."""
    volume = make_volume(demo, 'az2')
    snapshot = demo.block_storage.post('/snapshots', json={'snapshot': {
        'volume_id': volume['id'], 'name': 'moving'}}).json()['snapshot']
    wait_status(demo, f'/snapshots/{snapshot["id"]}', 'snapshot')
    yield volume, snapshot
    for conn in (alt, demo):
        if conn.block_storage.get(f'/volumes/{volume["id"]}',
                                  raise_exc=False).status_code == 200:
            delete_volume(conn, volume['id'])


def test_a_transfer_hands_the_volume_and_its_snapshots_over(
        gateway, admin_session, demo, alt, given):
    volume, snapshot = given
    made = demo.block_storage.post('/volume-transfers', json={'transfer': {
        'volume_id': volume['id'], 'name': 'gift'}}, **V)
    assert made.status_code == 202
    transfer = made.json()['transfer']
    [row] = routing_rows(gateway, admin_session, transfer['id'], 'transfer')
    assert (row['pod_name'], row['project_id']) == (
        'Pod2', demo.current_project_id)
    listed = demo.block_storage.get('/volume-transfers/detail', **V).json()
    assert [t['id'] for t in listed['transfers']] == [transfer['id']]
    assert listed['transfers'][0]['volume_id'] == volume['id']
    # another project sees neither the transfer nor its list entry
    assert alt.block_storage.get(f'/volume-transfers/{transfer["id"]}',
                                 raise_exc=False, **V).status_code == 404
    assert alt.block_storage.get('/volume-transfers',
                                 **V).json()['transfers'] == []
    wrong = alt.block_storage.post(
        f'/volume-transfers/{transfer["id"]}/accept',
        json={'accept': {'auth_key': 'wrong'}}, raise_exc=False, **V)
    assert wrong.status_code == 400
    accepted = alt.block_storage.post(
        f'/volume-transfers/{transfer["id"]}/accept',
        json={'accept': {'auth_key': transfer['auth_key']}}, **V)
    assert accepted.status_code == 202
    assert accepted.json()['transfer']['volume_id'] == volume['id']
    assert routing_rows(gateway, admin_session, transfer['id'],
                        'transfer') == []
    for top_id in (volume['id'], snapshot['id']):
        [row] = routing_rows(gateway, admin_session, top_id)
        assert row['project_id'] == alt.current_project_id
    assert alt.block_storage.get(f'/volumes/{volume["id"]}').json()[
        'volume']['availability_zone'] == 'az2'
    assert alt.block_storage.get(f'/snapshots/{snapshot["id"]}').json()[
        'snapshot']['volume_id'] == volume['id']
    assert demo.block_storage.get(f'/volumes/{volume["id"]}',
                                  raise_exc=False).status_code == 404


def test_a_deleted_transfer_leaves_the_volume_with_its_project(
        gateway, admin_session, demo, given):
    volume, _snapshot = given
    transfer = demo.block_storage.post('/os-volume-transfer', json={
        'transfer': {'volume_id': volume['id']}}).json()['transfer']
    assert demo.block_storage.get(
        f'/os-volume-transfer/{transfer["id"]}').json()['transfer'][
            'volume_id'] == volume['id']
    assert demo.block_storage.delete(
        f'/os-volume-transfer/{transfer["id"]}').status_code == 202
    assert routing_rows(gateway, admin_session, transfer['id']) == []
    assert demo.block_storage.get(
        f'/os-volume-transfer/{transfer["id"]}',
        raise_exc=False).status_code == 404
    wait_status(demo, f'/volumes/{volume["id"]}', 'volume')


def test_a_transfer_of_an_unknown_volume_is_cinders_404(demo):
    refused = demo.block_storage.post('/os-volume-transfer', json={
        'transfer': {'volume_id': '00000000-0000-0000-0000-000000000000'}},
        raise_exc=False)
    assert refused.status_code == 404
    assert refused.json() == {'itemNotFound': {'code': 404, 'message': (
        'Volume 00000000-0000-0000-0000-000000000000 could not be '
        'found.')}}
    below = demo.block_storage.get('/volume-transfers', raise_exc=False,
                                   microversion='3.54')
    assert below.status_code == 404
