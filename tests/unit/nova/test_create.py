"""``POST /servers``: placement, the body forwarded, and the routing
rows written around the pod call."""

from __future__ import annotations

import pytest
import requests

from tests.unit.nova import fakes

IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'


def body(**fields):
    return {'server': {'name': 'vm', 'flavorRef': '1', 'imageRef': IMAGE,
                       **fields}}


def pod_posts(gateway, index):
    return [c for c in gateway.nova(index).calls
            if (c.method, c.path) == ('POST', 'servers')]


def test_zone_picks_the_pod_and_is_renamed_for_it(gateway, client):
    reply = client.post('/v2.1/servers', body(availability_zone='az2'))

    assert reply.status == 202
    sent = pod_posts(gateway, 2)[0].json
    assert sent['server']['availability_zone'] == 'pod2-zone'
    assert not pod_posts(gateway, 1) and not pod_posts(gateway, 3)
    server_id = reply.body['server']['id']
    assert server_id in gateway.nova(2).servers
    assert reply.headers['Location'] == (
        f'{fakes.GATEWAY}/compute/v2.1/servers/{server_id}')


def test_forced_host_part_of_the_zone_is_kept(gateway, client):
    client.post('/v2.1/servers', body(availability_zone='az3:host1'))

    assert pod_posts(gateway, 3)[0].json['server'][
        'availability_zone'] == 'pod3-zone:host1'


def test_whole_body_is_forwarded(gateway, client):
    request = body(metadata={'k': 'v'}, key_name='key', user_data='dXNlcg==',
                   security_groups=[{'name': 'web'}], min_count='1',
                   config_drive=True, networks=[{'uuid': 'net-1'}],
                   block_device_mapping_v2=[{'boot_index': 0,
                                             'uuid': IMAGE,
                                             'source_type': 'image'}])
    request['os:scheduler_hints'] = {'same_host': [IMAGE], 'custom': 1}

    client.post('/v2.1/servers', request)

    assert pod_posts(gateway, 1)[0].json == request


def test_no_zone_uses_the_default_zone(gateway, client):
    gateway.conf.scheduler.default_availability_zone = 'az3'

    client.post('/v2.1/servers', body())

    sent = pod_posts(gateway, 3)[0].json
    assert 'availability_zone' not in sent['server']


def test_no_zone_and_no_default_takes_any_pod(gateway, client):
    assert client.post('/v2.1/servers', body()).status == 202
    assert pod_posts(gateway, 1)


def test_unknown_zone_is_nova_s_400(gateway, client):
    reply = client.post('/v2.1/servers', body(availability_zone='nowhere'))

    assert (reply.status, reply.message()) == (
        400, 'The requested availability zone is not available')
    assert not gateway.routings


def test_routing_is_active_after_the_pod_answers(gateway, client):
    states = []
    record, route_created = gateway.record, gateway.route_created

    def spy(context, top_id, resource_type, pod, bottom_id=None,
            status='creating'):
        states.append(('record', resource_type, status,
                       dict(gateway.routings)))
        return record(context, top_id, resource_type, pod, bottom_id,
                      status)

    def settle(context, pod, resource_type, top_ids, request_id,
               request_type):
        top_ids = list(top_ids)
        states.append(('settle', resource_type, top_ids,
                       dict(gateway.routings)))
        return route_created(context, pod, resource_type, top_ids,
                             request_id, request_type)

    gateway.record, gateway.route_created = spy, settle
    reply = client.post('/v2.1/servers', body(availability_zone='az1'))

    server_id = reply.body['server']['id']
    (_, request_type, request_status, before), (
        step, kind, ids, during) = states
    assert (request_type, request_status) == ('server_request', 'creating')
    assert not before and not pod_posts(gateway, 1)[1:]
    assert (step, kind, ids) == ('settle', 'server', [server_id])
    assert [k for _, k in during] == ['server_request']
    routing = gateway.routings.pop((server_id, 'server'))
    assert (routing.status, routing.pod.name, routing.project_id) == (
        'active', 'Pod1', fakes.PROJECT)
    assert not gateway.routings


def test_request_row_exists_while_the_pod_works(gateway, client):
    seen = []
    nova = gateway.nova(1)

    def watch(call):
        if call.method == 'POST':
            seen.extend(r.resource_type for r in gateway.routings.values())
        return nova(call)

    gateway.serve(nova.pod, watch)
    client.post('/v2.1/servers', body())

    assert seen == ['server_request']


def test_refusal_leaves_nothing_routed_and_returns_the_pod_error(
        gateway, client):
    reply = client.post('/v2.1/servers', body(flavorRef='999'))

    assert (reply.status, reply.message()) == (
        400, 'Flavor 999 could not be found.')
    assert not gateway.routings


def test_unreachable_pod_leaves_nothing_routed(gateway, client):
    client.get('/v2.1/flavors')
    gateway.nova(1).refusing = True

    reply = client.post('/v2.1/servers', body(availability_zone='az1'))

    assert (reply.status, reply.message()) == (503,
                                               'Pod Pod1 is unavailable.')
    assert not gateway.routings
    assert gateway.is_down(gateway.nova(1).pod)


def test_down_pod_is_not_scheduled(gateway, client):
    gateway.mark_down(gateway.nova(1).pod)

    assert client.post('/v2.1/servers', body()).status == 202
    assert pod_posts(gateway, 2)


def test_pod_server_error_is_500_and_nothing_routed(gateway, client):
    gateway.script(gateway.nova(1).pod, 'POST', '/servers',
                   fakes.fault(500, 'boom'))

    assert client.post('/v2.1/servers', body()).status == 500
    assert not gateway.routings


@pytest.mark.parametrize('counts', [{'max_count': 3},
                                    {'min_count': 3},
                                    {'min_count': '2', 'max_count': '3'}])
def test_several_servers_are_all_routed(gateway, client, counts):
    reply = client.post('/v2.1/servers', body(availability_zone='az2',
                                              **counts))

    assert reply.status == 202
    made = gateway.nova(2).servers
    assert len(made) == 3
    routed = {top_id for top_id, kind in gateway.routings}
    assert routed == set(made)
    assert {r.status for r in gateway.routings.values()} == {'active'}
    first = min(made.values(), key=lambda r: r['_seq'])
    view = reply.body['server']
    assert view['id'] == first['id']
    assert view['adminPass'] and view['security_groups'] == [
        {'name': 'default'}]
    assert reply.headers['Location'] == view['links'][0]['href']
    assert view['links'][0]['href'].startswith(fakes.GATEWAY)
    sent = pod_posts(gateway, 2)[0].json['server']
    assert sent['return_reservation_id'] is True
    assert sent['adminPass'] == view['adminPass']


def test_reservation_id_asked_for_is_answered_and_servers_routed(
        gateway, client):
    reply = client.post('/v2.1/servers', body(max_count=2,
                                              return_reservation_id=True))

    assert set(reply.body) == {'reservation_id'}
    assert len(gateway.of_type('server')) == 2
    assert not gateway.of_type('server_request')


def test_given_password_is_returned_for_several(gateway, client):
    reply = client.post('/v2.1/servers', body(max_count=2,
                                              adminPass='secret'))

    assert reply.body['server']['adminPass'] == 'secret'


def test_unlisted_reservation_keeps_the_request_row(gateway, client):
    gateway.script(gateway.nova(1).pod, 'GET', '/servers/detail',
                   fakes.fault(500, 'boom'))

    reply = client.post('/v2.1/servers', body(max_count=2))

    assert reply.status == 500
    assert [r.status for r in gateway.of_type('server_request')] == [
        'creating']
    assert not gateway.of_type('server')


def test_server_group_hint_sends_the_server_to_the_group_s_pod(
        gateway, client):
    gateway.conf.scheduler.default_availability_zone = 'az3'
    group = client.post('/v2.1/os-server-groups', {'server_group': {
        'name': 'g', 'policies': ['affinity']}}).body['server_group']
    gateway.conf.scheduler.default_availability_zone = None
    request = body()
    request['os:scheduler_hints'] = {'group': group['id']}

    assert client.post('/v2.1/servers', request).status == 202
    assert pod_posts(gateway, 3) and not pod_posts(gateway, 1)
    request['server']['availability_zone'] = 'az1'
    reply = client.post('/v2.1/servers', request)
    assert (reply.status, reply.message()) == (
        400, f"The server group {group['id']} is not in availability zone "
             'az1.')


def test_pod_timing_out_during_create_is_503(gateway, client,
                                            monkeypatch):
    client.get('/v2.1/flavors')

    def slow(call):
        raise requests.exceptions.ConnectTimeout('no answer')

    gateway.serve(gateway.nova(1).pod, slow)

    assert client.post('/v2.1/servers',
                       body(availability_zone='az1')).status == 503
    assert not gateway.routings


def test_a_lost_answer_keeps_the_request_row_and_is_not_retried(gateway,
                                                                client):
    gateway.script(gateway.nova(1).pod, 'POST', '/servers',
                   requests.ReadTimeout('read timed out'))

    reply = client.post('/v2.1/servers', body())

    assert reply.status == 503
    assert [r.resource_type for r in gateway.routings.values()] == [
        'server_request']
    assert [p.get('refused') for _, _, p in gateway.placements] == [None]
    assert not pod_posts(gateway, 2)


def test_create_moves_once_to_another_pod_when_unreachable(gateway, client):
    client.get('/v2.1/flavors')
    gateway.nova(1).refusing = True

    reply = client.post('/v2.1/servers', body())

    assert reply.status == 202
    [routing] = gateway.routings.values()
    assert routing.pod == gateway.nova(2).pod
    assert [p.get('refused') for _, _, p in gateway.placements] == [
        None, gateway.nova(1).pod]
    assert gateway.placements[0][2]['flavor'] == '1'


def test_create_moves_once_to_another_pod_when_over_quota(gateway, client):
    message = ('Quota exceeded for instances: Requested 1, but already '
               'used 0 of 0 instances')
    for index in (1, 2):
        gateway.script(gateway.nova(index).pod, 'POST', '/servers',
                       fakes.fault(403, message))

    reply = client.post('/v2.1/servers', body())

    # the second pod refuses too: its answer is the client's, no third try
    assert (reply.status, reply.message()) == (403, message)
    assert [p.get('refused') for _, _, p in gateway.placements] == [
        None, gateway.nova(1).pod]
    assert pod_posts(gateway, 1) and pod_posts(gateway, 2)
    assert not pod_posts(gateway, 3)
    assert not gateway.routings


VOLUME = '5d3c9b1e-6a4f-4e0c-9d2b-0b8f2e1c7a10'
SNAPSHOT = '8e1f0c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f'


def from_volume(source_type='volume', uuid=VOLUME, **fields):
    request = body(**fields)
    del request['server']['imageRef']
    request['server']['block_device_mapping_v2'] = [{
        'boot_index': 0, 'uuid': uuid, 'source_type': source_type,
        'destination_type': 'volume'}]
    return request


@pytest.mark.parametrize('source_type, uuid, kind', [
    ('volume', VOLUME, 'volume'), ('snapshot', SNAPSHOT, 'snapshot')])
def test_boot_from_a_volume_goes_to_its_pod(gateway, client, source_type,
                                            uuid, kind):
    gateway.route(uuid, gateway.nova(2).pod, resource_type=kind)

    assert client.post('/v2.1/servers',
                       from_volume(source_type, uuid)).status == 202
    assert pod_posts(gateway, 2) and not pod_posts(gateway, 1)
    reply = client.post('/v2.1/servers', from_volume(
        source_type, uuid, availability_zone='az2'))
    assert reply.status == 202
    assert pod_posts(gateway, 2)[-1].json['server'][
        'availability_zone'] == 'pod2-zone'


def test_boot_from_a_volume_of_another_zone_is_400(gateway, client):
    gateway.route(VOLUME, gateway.nova(2).pod, resource_type='volume')

    reply = client.post('/v2.1/servers',
                        from_volume(availability_zone='az1'))
    assert (reply.status, reply.message()) == (
        400, 'Server and volumes are not in the same availability zone. '
             'Server is in: az1. Volumes are in: az2')
    assert not pod_posts(gateway, 1) and not pod_posts(gateway, 2)


def test_boot_from_volumes_of_two_pods_is_400(gateway, client):
    gateway.route(VOLUME, gateway.nova(2).pod, resource_type='volume')
    gateway.route(SNAPSHOT, gateway.nova(3).pod, resource_type='snapshot')
    request = from_volume()
    request['server']['block_device_mapping_v2'].append({
        'boot_index': 1, 'uuid': SNAPSHOT, 'source_type': 'snapshot',
        'destination_type': 'volume'})

    reply = client.post('/v2.1/servers', request)
    assert (reply.status, reply.message()) == (
        400, 'The volumes of a server must be in one pod. Volumes are in: '
             'az2, az3')


def test_boot_from_a_volume_of_a_down_pod_is_503(gateway, client):
    gateway.route(VOLUME, gateway.nova(2).pod, resource_type='volume')
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.post('/v2.1/servers', from_volume())
    assert (reply.status, reply.message()) == (503,
                                               'Pod Pod2 is unavailable.')


def test_boot_from_an_unrouted_volume_is_scheduled(gateway, client):
    gateway.conf.scheduler.default_availability_zone = 'az3'
    assert client.post('/v2.1/servers', from_volume()).status == 202
    assert pod_posts(gateway, 3)
