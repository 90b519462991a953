"""Backups in the volume's pod, restores in the backup's pod: what is
sent and what is routed."""

from __future__ import annotations

import uuid

import requests

from tests.unit.cinder.fakes import CinderGateway
from trio2o_core.testing.client import Client
from trio2o_core.testing.fake_pods import pod_response


def test_a_backup_goes_to_its_volumes_pod_with_the_pods_zone_name(
        client: Client, gateway: CinderGateway) -> None:
    volume = gateway.add(2)
    backup_id = str(uuid.uuid4())
    gateway.script(gateway.pod(2), 'POST', '/backups', pod_response(
        202, {'backup': {'id': backup_id, 'name': 'b', 'links': []}}))
    reply = client.post('/v3/backups', {'backup': {
        'volume_id': volume['id'], 'availability_zone': 'az2'}})
    assert reply.status == 202
    (post,) = gateway.calls_to('POST')
    assert post.json['backup']['availability_zone'] == 'pod2-zone'
    routing = gateway.routings[(backup_id, 'backup')]
    assert (routing.pod.name, routing.status) == ('Pod2', 'active')
    assert not [kind for _, kind in gateway.routings
                if kind == 'backup_request']


def test_a_restore_into_a_new_volume_routes_it_to_the_backups_pod(
        client: Client, gateway: CinderGateway) -> None:
    backup_id, volume_id = str(uuid.uuid4()), str(uuid.uuid4())
    gateway.route(backup_id, gateway.pod(2), resource_type='backup')
    gateway.script(gateway.pod(2), 'POST', f'/backups/{backup_id}/restore',
                   pod_response(202, {'restore': {
                       'backup_id': backup_id, 'volume_id': volume_id,
                       'volume_name': 'n'}}))
    reply = client.post(f'/v3/backups/{backup_id}/restore',
                        {'restore': {'name': 'n'}})
    assert reply.status == 202
    assert gateway.routings[(volume_id, 'volume')].pod.name == 'Pod2'


def test_a_lost_restore_answer_keeps_a_volume_request_row(
        client: Client, gateway: CinderGateway) -> None:
    backup_id = str(uuid.uuid4())
    gateway.route(backup_id, gateway.pod(1), resource_type='backup')
    gateway.script(gateway.pod(1), 'POST', f'/backups/{backup_id}/restore',
                   requests.ReadTimeout('read timed out'))
    reply = client.post(f'/v3/backups/{backup_id}/restore',
                        {'restore': None})
    assert reply.status == 503
    assert sorted(kind for _, kind in gateway.routings) == [
        'backup', 'volume_request']
