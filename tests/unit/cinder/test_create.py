"""Where ``POST /v3/volumes`` goes: the source's pod, else the pod the
scheduler binds for the zone; and what stays routed."""

from __future__ import annotations

import pytest
import requests

from tests.unit.cinder.fakes import CinderGateway
from tests.unit.cinder.fakes import fault
from trio2o_core.testing.client import Client

UNKNOWN = '0c7e6a64-7f05-4b5b-9f3e-2a7f4d3b9c11'


def create(client: Client, **volume: object):
    return client.post('/v3/volumes', {'volume': {'size': 1, **volume}})


def routed_to(gateway: CinderGateway, reply) -> str:
    routing = gateway.routings[(reply.body['volume']['id'], 'volume')]
    assert routing.status == 'active'
    return routing.pod.name


def test_no_source_goes_to_the_zone_s_pod_named_as_the_pod_names_it(
        client, gateway):
    reply = create(client, availability_zone='az2')
    assert reply.status == 202
    assert routed_to(gateway, reply) == 'Pod2'
    (post,) = gateway.calls_to('POST')
    assert post.json['volume']['availability_zone'] == 'pod2-zone'
    assert reply.body['volume']['availability_zone'] == 'az2'
    assert not [key for key in gateway.routings
                if key[1] == 'volume_request']


@pytest.mark.parametrize('key, collection', [('snapshot_id', 'snapshots'),
                                             ('source_volid', 'volumes')])
def test_a_source_s_pod_makes_the_volume(client, gateway, key, collection):
    source = gateway.add(2, collection)
    reply = create(client, **{key: source['id']})
    assert routed_to(gateway, reply) == 'Pod2'


def test_a_source_and_its_zone(client, gateway):
    snapshot = gateway.add(2, 'snapshots')
    reply = create(client, snapshot_id=snapshot['id'],
                   availability_zone='az2')
    assert routed_to(gateway, reply) == 'Pod2'


def test_a_source_in_another_zone_is_cinder_s_400(client, gateway):
    snapshot = gateway.add(2, 'snapshots')
    reply = create(client, snapshot_id=snapshot['id'],
                   availability_zone='az1')
    assert (reply.status, reply.body) == (400, {'badRequest': {
        'code': 400, 'message': 'Invalid input received: Volume must be '
        'in the same availability zone as the snapshot'}})
    assert gateway.calls_to('POST') == []


@pytest.mark.parametrize('key, message', [
    ('snapshot_id', 'Snapshot {} could not be found.'),
    ('source_volid', 'Volume {} could not be found.'),
    ('backup_id', 'Backup {} could not be found.'),
])
def test_an_unknown_source_is_cinder_s_404(client, gateway, key, message):
    reply = create(client, **{key: UNKNOWN})
    assert (reply.status, reply.message()) == (404, message.format(UNKNOWN))
    assert gateway.routings == {}


def test_another_project_s_source_is_unknown(client, gateway):
    snapshot = gateway.add(2, 'snapshots', project='project-b')
    reply = create(client, snapshot_id=snapshot['id'])
    assert reply.status == 404


def test_an_unknown_zone_is_cinder_s_400(client):
    reply = create(client, availability_zone='mars')
    assert (reply.status, reply.message()) == (
        400, "Availability zone 'mars' is invalid.")


def test_a_pod_s_refusal_leaves_nothing_routed(client, gateway):
    gateway.script(gateway.pod(1), 'POST', '/volumes',
                   fault(413, 'overLimit', 'VolumeSizeExceedsLimit'))
    reply = create(client, availability_zone='az1')
    assert (reply.status, reply.message()) == (413, 'VolumeSizeExceedsLimit')
    assert gateway.routings == {}


def test_an_unreachable_pod_leaves_nothing_routed(client, gateway):
    gateway.unreachable.add('pod-1')
    reply = create(client, availability_zone='az1')
    assert reply.status == 503
    assert gateway.routings == {}


def test_a_lost_answer_keeps_the_request_row_for_the_reconciler(client,
                                                                gateway):
    gateway.script(gateway.pod(1), 'POST', '/volumes',
                   requests.ReadTimeout('read timed out'))
    reply = create(client, availability_zone='az1')
    assert reply.status == 503
    ((_, kind),) = gateway.routings
    assert kind == 'volume_request'


@pytest.mark.parametrize('collection, key', [
    ('snapshots', 'snapshot'), ('backups', 'backup')])
def test_a_lost_snapshot_or_backup_answer_keeps_its_request_row(
        client, gateway, collection, key):
    volume = gateway.add(1)
    gateway.script(gateway.pod(1), 'POST', f'/{collection}',
                   requests.ReadTimeout('read timed out'))
    reply = client.post(f'/v3/{collection}',
                        {key: {'volume_id': volume['id']}})
    assert reply.status == 503
    assert sorted(kind for _, kind in gateway.routings) == [
        f'{key}_request', 'volume']


def test_the_scheduler_is_told_type_size_and_hints(client, gateway):
    reply = client.post('/v3/volumes', {
        'volume': {'size': 3, 'volume_type': 'fast'},
        'OS-SCH-HNT:scheduler_hints': {'trio2o:same_pod_as': 'x'}})

    assert reply.status == 202
    [(kind, zone, placement)] = gateway.placements
    assert (kind, zone) == ('volume', None)
    assert (placement['volume_type'], placement['size'],
            placement['hints']) == ('fast', 3, {'trio2o:same_pod_as': 'x'})
    assert placement['refused'] is None


@pytest.mark.parametrize('refusal', ['unreachable', 'over quota'])
def test_a_create_moves_once_to_another_pod(client, gateway, refusal):
    if refusal == 'unreachable':
        gateway.unreachable.add('pod-1')
    else:
        gateway.script(gateway.pod(1), 'POST', '/volumes', fault(
            413, 'overLimit', 'VolumeLimitExceeded: Maximum number of '
                              "volumes allowed (0) exceeded for quota "
                              "'volumes'."))

    reply = create(client)

    assert reply.status == 202, reply.body
    assert routed_to(gateway, reply) == 'Pod2'
    assert [p['refused'] for _, _, p in gateway.placements] == [
        None, gateway.pod(1)]


def test_a_full_pod_with_nowhere_to_go_answers_its_refusal(client,
                                                           gateway):
    message = ("VolumeLimitExceeded: Maximum number of volumes allowed "
               "(0) exceeded for quota 'volumes'.")
    gateway.script(gateway.pod(1), 'POST', '/volumes', fault(
        413, 'overLimit', message))

    reply = create(client, availability_zone='az1')

    assert reply.status == 413
    assert message in str(reply.body)
    assert not gateway.routings
