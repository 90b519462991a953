"""Volume transfers: routed to the volume's pod, accepted by any
project, the routings handed over; lists merged and paged."""

from __future__ import annotations

from tests.unit.cinder.fakes import fault
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import OTHER_PROJECT
from trio2o_core.testing.fakes import PROJECT


def transfer(tid, created, volume='v1'):
    return {'id': tid, 'name': tid, 'volume_id': volume,
            'created_at': created, 'links': []}


def test_an_accept_hands_the_volume_and_its_snapshots_over(client,
                                                            gateway):
    pod = gateway.pod(2)
    gateway.route('v1', pod, resource_type='volume')
    gateway.route('s1', pod, resource_type='snapshot')
    gateway.route('s2', pod, resource_type='snapshot')
    gateway.route('t1', pod, resource_type='transfer')
    gateway.script(pod, 'POST', '/os-volume-transfer/t1/accept',
                   pod_response(202, {'transfer': {
                       'id': 't1', 'name': None, 'volume_id': 'v1',
                       'links': []}}))
    gateway.script(pod, 'GET', '/snapshots/detail', pod_response(200, {
        'snapshots': [{'id': 's1', 'volume_id': 'v1'},
                      {'id': 's3', 'volume_id': 'v9'}]}))
    taker = client.as_user(OTHER_PROJECT)
    reply = taker.post('/v3/os-volume-transfer/t1/accept',
                       {'accept': {'auth_key': 'k'}})
    assert reply.status == 202
    owners = {key: routing.project_id
              for key, routing in gateway.routings.items()}
    assert owners == {('v1', 'volume'): OTHER_PROJECT,
                      ('s1', 'snapshot'): OTHER_PROJECT,
                      ('s2', 'snapshot'): PROJECT}


def test_a_refused_accept_changes_nothing(client, gateway):
    pod = gateway.pod(1)
    gateway.route('v1', pod, resource_type='volume')
    gateway.route('t1', pod, resource_type='transfer')
    gateway.script(pod, 'POST', '/os-volume-transfer/t1/accept', fault(
        400, 'badRequest', 'Invalid auth key: Attempt to transfer t1 with '
        'invalid auth key.'))
    reply = client.as_user(OTHER_PROJECT).post(
        '/v3/os-volume-transfer/t1/accept', {'accept': {'auth_key': 'x'}})
    assert reply.status == 400
    assert {key: routing.project_id
            for key, routing in gateway.routings.items()} == {
        ('v1', 'volume'): PROJECT, ('t1', 'transfer'): PROJECT}


def test_an_unknown_transfer_is_404_without_a_pod_call(client, gateway):
    reply = client.post('/v3/os-volume-transfer/nope/accept',
                        {'accept': {'auth_key': 'k'}})
    assert (reply.status, reply.body) == (404, {'itemNotFound': {
        'code': 404, 'message': 'Transfer nope could not be found.'}})
    assert gateway.calls_to('POST') == []


def test_lists_merge_the_pods_holding_the_project_s_transfers(client,
                                                               gateway):
    first, second = gateway.pod(1), gateway.pod(2)
    gateway.route('t1', first, resource_type='transfer')
    gateway.route('t2', second, resource_type='transfer')
    gateway.script(first, 'GET', '/os-volume-transfer/detail',
                   pod_response(200, {'transfers': [
                       transfer('t1', '2026-01-01T00:00:03'),
                       transfer('t3', '2026-01-01T00:00:01')]}))
    gateway.script(second, 'GET', '/os-volume-transfer/detail',
                   pod_response(200, {'transfers': [
                       transfer('t2', '2026-01-01T00:00:02')]}))
    reply = client.get('/v3/os-volume-transfer')
    assert [t['id'] for t in reply.body['transfers']] == ['t3', 't2', 't1']
    assert set(reply.body['transfers'][0]) == {'id', 'name', 'volume_id',
                                               'links'}
    paged = client.get('/v3/os-volume-transfer/detail?marker=t3&limit=1')
    assert [t['id'] for t in paged.body['transfers']] == ['t2']
    assert 'marker=t2' in paged.body['transfers_links'][0]['href']
    for pod, shown in ((first, ('t1', 't3')), (second, ('t2',))):
        gateway.script(pod, 'GET', '/volume-transfers/detail', pod_response(
            200, {'transfers': [transfer(t, f'2026-01-01T00:00:0{t[1]}')
                                for t in shown]}))
    newest = client.get('/v3/volume-transfers?sort=created_at:desc',
                        version='3.59')
    assert [t['id'] for t in newest.body['transfers']] == ['t3', 't2', 't1']


def test_the_newer_spelling_is_not_found_before_3_55(client):
    assert client.get('/v3/volume-transfers', version='3.54').status == 404
    assert client.get('/v3/volume-transfers', version='3.55').status == 200
