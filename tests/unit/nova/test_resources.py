"""What clients need around servers: flavors, images, zones, key pairs,
limits, quotas, services, hypervisors, server groups, extensions."""

from __future__ import annotations

import pytest

from tests.unit.nova import fakes
from trio2o_core.plugin import PARTIAL_HEADER


def calls(gateway, index, method=None):
    return [c for c in gateway.nova(index).calls
            if c.path and (method is None or c.method == method)]


def test_flavors_come_from_the_first_pod_with_gateway_links(gateway,
                                                           client):
    reply = client.get('/v2.1/flavors/detail?minDisk=1')

    assert reply.status == 200
    assert reply.body['flavors'][0]['links'][0]['href'] == (
        f'{fakes.GATEWAY}/compute/v2.1/flavors/1')
    assert calls(gateway, 1)[-1].params == [('minDisk', '1')]
    assert not calls(gateway, 2)


def test_flavor_not_found_is_the_pod_s_404(client):
    reply = client.get('/v2.1/flavors/42')

    assert (reply.status, reply.message()) == (
        404, 'Flavor 42 could not be found.')


def test_next_pod_answers_when_the_first_is_unreachable(gateway, client):
    client.get('/v2.1/flavors')
    gateway.nova(1).refusing = True

    assert client.get('/v2.1/flavors/1').status == 200
    assert calls(gateway, 2)


def test_no_pod_up_is_503(gateway, client):
    for pod in gateway.pods:
        gateway.mark_down(pod)

    reply = client.get('/v2.1/flavors')

    assert reply.status == 503


@pytest.mark.parametrize('path', [
    '/v2.1/flavors/1/os-extra_specs', '/v2.1/flavors/1/os-extra_specs/k',
    '/v2.1/flavors/1/os-flavor-access', '/v2.1/images',
    '/v2.1/images/detail', '/v2.1/images/i1', '/v2.1/images/i1/metadata',
    '/v2.1/extensions', '/v2.1/extensions/NMN',
    '/v2.1/os-quota-sets/p1', '/v2.1/os-quota-sets/p1/defaults',
    '/v2.1/os-quota-sets/p1/detail', '/v2.1/os-keypairs/k1'])
def test_reads_are_passed_to_the_first_pod(gateway, client, path):
    client.get(path)

    assert calls(gateway, 1)[-1].path == path[len('/v2.1/'):]


def test_zones_are_the_pods_zones(gateway, client):
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.get('/v2.1/os-availability-zone')

    assert reply.body == {'availabilityZoneInfo': [
        {'zoneName': 'az1', 'zoneState': {'available': True},
         'hosts': None},
        {'zoneName': 'az3', 'zoneState': {'available': True},
         'hosts': None},
        {'zoneName': 'az2', 'zoneState': {'available': False},
         'hosts': None}]}
    assert not calls(gateway, 1)


def test_zone_detail_is_for_admins(client):
    reply = client.get('/v2.1/os-availability-zone/detail')

    assert (reply.status, reply.message()) == (
        403, "Policy doesn't allow os_compute_api:os-availability-zone:"
             'detail to be performed.')


def test_zone_detail_merges_the_pods_hosts(gateway, admin):
    gateway.mark_down(gateway.nova(3).pod)

    reply = admin.get('/v2.1/os-availability-zone/detail')

    zones = {z['zoneName']: z for z in reply.body['availabilityZoneInfo']}
    assert set(zones) == {'az1', 'az2', 'az3', 'internal'}
    assert zones['az1']['hosts'] == {'compute1@Pod1': {'nova-compute': {}}}
    assert set(zones['internal']['hosts']) == {'conductor@Pod1',
                                               'conductor@Pod2'}
    assert zones['az3'] == {'zoneName': 'az3',
                            'zoneState': {'available': False},
                            'hosts': None}
    assert reply.headers[PARTIAL_HEADER] == 'Pod3'


def test_keypair_is_made_once_and_imported_everywhere(gateway, client):
    reply = client.post('/v2.1/os-keypairs', {'keypair': {'name': 'k1'}})

    assert reply.status == 200
    assert reply.body['keypair']['private_key'] == 'PRIVATE'
    public = reply.body['keypair']['public_key']
    for index in (1, 2, 3):
        assert gateway.nova(index).keypairs['k1']['public_key'] == public
    assert 'public_key' not in calls(gateway, 1, 'POST')[0].json['keypair']


def test_keypair_refused_by_a_later_pod_is_undone(gateway, client):
    gateway.nova(3).keypairs['k1'] = {'name': 'k1', 'public_key': 'x'}

    reply = client.post('/v2.1/os-keypairs', {'keypair': {'name': 'k1'}})

    assert (reply.status, reply.message()) == (
        409, "Key pair 'k1' already exists.")
    assert 'k1' not in gateway.nova(1).keypairs
    assert 'k1' not in gateway.nova(2).keypairs


def test_keypair_left_in_a_pod_by_a_failed_undo_is_logged(gateway, client,
                                                          caplog):
    gateway.nova(3).keypairs['k1'] = {'name': 'k1', 'public_key': 'x'}
    gateway.script(gateway.nova(2).pod, 'DELETE', '/os-keypairs/k1',
                   fakes.fault(500, 'boom'))

    reply = client.post('/v2.1/os-keypairs', {'keypair': {'name': 'k1'}})

    assert reply.status == 409
    assert 'k1' not in gateway.nova(1).keypairs
    assert ('pod Pod2 left changed after a failed write (request '
            'req-0001): DELETE os-keypairs/k1 answered 500') in caplog.text


def test_keypair_is_not_made_while_a_pod_is_down(gateway, client):
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.post('/v2.1/os-keypairs', {'keypair': {'name': 'k1'}})

    assert (reply.status, reply.message()) == (503,
                                               'Pod Pod2 is unavailable.')
    assert not any(nova.keypairs for nova in gateway.novas.values())


def test_keypair_deleted_everywhere(gateway, client):
    client.post('/v2.1/os-keypairs', {'keypair': {'name': 'k1'}})
    del gateway.nova(1).keypairs['k1']

    reply = client.request('DELETE', '/v2.1/os-keypairs/k1')

    assert reply.status == 202
    assert not any(nova.keypairs for nova in gateway.novas.values())
    assert client.request('DELETE', '/v2.1/os-keypairs/k1').status == 404


def test_quota_update_goes_to_every_pod(gateway, admin):
    reply = admin.request('PUT', '/v2.1/os-quota-sets/p1',
                          {'quota_set': {'instances': 5}})

    assert reply.status == 200
    for index in (1, 2, 3):
        assert calls(gateway, index, 'PUT')[0].json == {
            'quota_set': {'instances': 5}}


def test_limits_sum_instances_and_cores_over_pods(gateway, client):
    gateway.nova(2).limits.update(totalInstancesUsed=3, maxTotalCores=-1)
    gateway.nova(3).limits.update(totalInstancesUsed=1)

    absolute = client.get('/v2.1/limits').body['limits']['absolute']

    assert absolute == {'maxTotalInstances': 30, 'totalInstancesUsed': 4,
                        'maxTotalCores': -1, 'totalCoresUsed': 0,
                        'maxServerMeta': 128}


def test_services_are_merged_with_the_pod_in_host_names(gateway, admin,
                                                        client):
    reply = admin.get('/v2.1/os-services')

    assert [s['host'] for s in reply.body['services']] == [
        'compute1@Pod1', 'compute1@Pod2', 'compute1@Pod3']
    reply = client.get('/v2.1/os-services')
    assert reply.status == 403


def test_hypervisors_are_merged(gateway, admin):
    for index in (1, 2):
        gateway.script(
            gateway.nova(index).pod, 'GET', '/os-hypervisors/detail',
            fakes.pod_response(200, {'hypervisors': [{
                'id': f'h{index}', 'hypervisor_hostname': 'fake-mini',
                'service': {'host': 'compute1', 'id': 's'}}]}))
    gateway.mark_down(gateway.nova(3).pod)

    reply = admin.get('/v2.1/os-hypervisors/detail', version='2.53')

    assert [(h['hypervisor_hostname'], h['service']['host'])
            for h in reply.body['hypervisors']] == [
        ('fake-mini@Pod1', 'compute1@Pod1'),
        ('fake-mini@Pod2', 'compute1@Pod2')]
    assert reply.headers[PARTIAL_HEADER] == 'Pod3'


def test_server_group_is_created_where_servers_go_and_routed(gateway,
                                                             client):
    gateway.conf.scheduler.default_availability_zone = 'az2'

    reply = client.post('/v2.1/os-server-groups', {'server_group': {
        'name': 'g', 'policies': ['anti-affinity']}})

    group = reply.body['server_group']
    assert group['id'] in gateway.nova(2).groups
    routing = gateway.routings[(group['id'], 'server_group')]
    assert (routing.status, routing.pod.name) == ('active', 'Pod2')
    assert not gateway.of_type('server_group_request')


def test_server_groups_listed_and_shown_by_routing(gateway, client):
    first = client.post('/v2.1/os-server-groups', {
        'server_group': {'name': 'a'}}).body['server_group']
    gateway.conf.scheduler.default_availability_zone = 'az3'
    second = client.post('/v2.1/os-server-groups', {
        'server_group': {'name': 'b'}}).body['server_group']
    gateway.nova(1).groups['stray'] = {'id': 'stray', 'name': 'x'}

    reply = client.get('/v2.1/os-server-groups')
    assert [g['id'] for g in reply.body['server_groups']] == [
        first['id'], second['id']]
    reply = client.get('/v2.1/os-server-groups?offset=1&limit=1')
    assert [g['id'] for g in reply.body['server_groups']] == [second['id']]
    assert client.get(f"/v2.1/os-server-groups/{second['id']}").body[
        'server_group']['name'] == 'b'
    other = client.as_user(fakes.OTHER_PROJECT)
    reply = other.get(f"/v2.1/os-server-groups/{second['id']}")
    assert (reply.status, reply.message()) == (
        404, f"Instance group {second['id']} could not be found.")


def test_server_group_delete_drops_its_routing(gateway, client):
    group = client.post('/v2.1/os-server-groups', {
        'server_group': {'name': 'a'}}).body['server_group']

    reply = client.request('DELETE', f"/v2.1/os-server-groups/{group['id']}")

    assert reply.status == 204
    assert not gateway.of_type('server_group')


def test_server_group_refused_leaves_nothing_routed(gateway, client):
    gateway.script(gateway.nova(1).pod, 'POST', '/os-server-groups',
                   fakes.fault(403, 'Quota exceeded, too many server groups.'))

    reply = client.post('/v2.1/os-server-groups', {
        'server_group': {'name': 'a'}})

    assert reply.status == 403
    assert not gateway.routings
