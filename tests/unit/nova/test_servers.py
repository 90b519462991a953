"""Calls on one routed server: show, update, delete, sub-resources; the
404s Nova gives and the routing kept in step with the pod."""

from __future__ import annotations

import pytest

from tests.unit.nova import fakes

UNKNOWN = '0b9e6c77-5a4e-4f55-8c0b-8d1a3e2f4c22'


@pytest.fixture
def server(gateway):
    """A server of ``PROJECT`` in Pod2."""
    return gateway.add_server(2, name='web')


def path(record, suffix=''):
    return f"/v2.1/servers/{record['id']}{suffix}"


def test_show_is_the_pod_s_server_at_the_gateway(gateway, client, server):
    reply = client.get(path(server), version='2.60')

    shown = reply.body['server']
    assert reply.status == 200
    assert shown['id'] == server['id'] and shown['name'] == 'web'
    assert shown['links'][0]['href'] == (
        f"{fakes.GATEWAY}/compute/v2.1/servers/{server['id']}")
    assert shown['links'][1]['href'] == (
        f"{fakes.GATEWAY}/compute/servers/{server['id']}")
    assert shown['image']['links'][0]['href'].startswith(fakes.GATEWAY)
    assert shown['OS-EXT-AZ:availability_zone'] == 'az2'
    call = gateway.nova(2).calls[-1]
    assert (call.method, call.path, call.microversion) == (
        'GET', f"servers/{server['id']}", '2.60')


def test_unknown_server_is_nova_s_404(gateway, client):
    reply = client.get(f'/v2.1/servers/{UNKNOWN}')

    assert reply.status == 404
    assert reply.body == {'itemNotFound': {
        'code': 404, 'message': f'Instance {UNKNOWN} could not be found.'}}


def test_server_of_another_project_is_404(gateway, client, server):
    other = client.as_user(fakes.OTHER_PROJECT)

    for method in ('GET', 'DELETE'):
        reply = other.request(method, path(server))
        assert (reply.status, reply.message()) == (
            404, f"Instance {server['id']} could not be found.")
    assert other.get(path(server, '/metadata')).status == 404
    assert (server['id'], 'server') in gateway.routings


def test_admin_sees_a_server_of_another_project(client, admin, server):
    assert admin.get(path(server)).status == 200


def test_server_of_a_down_pod_is_503(gateway, client, server):
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.get(path(server))

    assert reply.body == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}


def test_unreachable_pod_is_503_and_marked_down(gateway, client, server):
    client.get('/v2.1/flavors')
    gateway.nova(2).refusing = True

    assert client.get(path(server)).status == 503
    assert gateway.is_down(gateway.nova(2).pod)


def test_server_gone_from_its_pod_keeps_its_routing_deleted(gateway, client,
                                                             server):
    del gateway.nova(2).servers[server['id']]

    reply = client.get(path(server))
    calls = len(gateway.nova(2).calls)
    again = client.get(path(server))

    assert (reply.status, reply.message()) == (
        404, f"Instance {server['id']} could not be found.")
    assert gateway.routings[(server['id'], 'server')].status == 'deleted'
    assert (again.status, again.message()) == (
        404, f"Instance {server['id']} could not be found.")
    assert len(gateway.nova(2).calls) == calls


def test_server_gone_loses_its_routing_without_retention(gateway, client,
                                                         server):
    gateway.conf.set_override('deleted_server_retention', 0, group='nova')
    del gateway.nova(2).servers[server['id']]
    try:
        reply = client.get(path(server))
    finally:
        gateway.conf.clear_override('deleted_server_retention',
                                    group='nova')

    assert reply.status == 404
    assert (server['id'], 'server') not in gateway.routings


def test_instance_actions_of_a_deleted_server_reach_its_pod(gateway, client,
                                                            server):
    gateway.set_status(server['id'], 'server', 'deleted')
    actions = f"/servers/{server['id']}/os-instance-actions"
    gateway.script(gateway.nova(2).pod, 'GET', actions,
                   fakes.pod_response(200, {'instanceActions': []}))

    listed = client.get(path(server, '/os-instance-actions'),
                        version='2.21')
    metadata = client.get(path(server, '/metadata'))

    assert (listed.status, listed.body) == (200, {'instanceActions': []})
    assert (metadata.status, metadata.message()) == (
        404, f"Instance {server['id']} could not be found.")


def test_update_renames_and_answers_at_the_gateway(gateway, client, server):
    reply = client.request('PUT', path(server), {'server': {'name': 'db'}})

    assert reply.status == 200
    assert reply.body['server']['name'] == 'db'
    assert reply.body['server']['links'][0]['href'].startswith(
        fakes.GATEWAY)


def test_update_pins_the_zone_as_the_pod_names_it(gateway, client, server):
    reply = client.request('PUT', path(server), {'server': {
        'pinned_availability_zone': 'az2'}}, version='2.104')

    assert reply.status == 200
    assert gateway.nova(2).calls[-1].json == {'server': {
        'pinned_availability_zone': 'pod2-zone'}}
    reply = client.request('PUT', path(server), {'server': {
        'pinned_availability_zone': 'az1'}}, version='2.104')
    assert (reply.status, reply.message()) == (
        400, 'The requested availability zone is not available')


def test_delete_marks_deleting_then_a_lookup_clears_the_row(
        gateway, client, server):
    gateway.script(gateway.nova(2).pod, 'DELETE',
                   f"/servers/{server['id']}",
                   fakes.pod_response(204))

    reply = client.request('DELETE', path(server))

    assert reply.status == 204
    assert gateway.routings[(server['id'], 'server')].status == 'deleting'
    del gateway.nova(2).servers[server['id']]
    assert client.get(path(server)).status == 404
    assert gateway.routings[(server['id'], 'server')].status == 'deleted'


def test_delete_of_a_server_already_gone_forgets_it(gateway, client,
                                                    server):
    del gateway.nova(2).servers[server['id']]

    reply = client.request('DELETE', path(server))

    assert (reply.status, reply.message()) == (
        404, 'Instance could not be found')
    assert [r.status for r in gateway.routings.values()] == ['deleted']


def test_refused_delete_restores_the_routing(gateway, client, server):
    gateway.script(gateway.nova(2).pod, 'DELETE',
                   f"/servers/{server['id']}",
                   fakes.fault(409, f"Instance {server['id']} is locked"))

    reply = client.request('DELETE', path(server))

    assert (reply.status, reply.message()) == (
        409, f"Instance {server['id']} is locked")
    assert gateway.routings[(server['id'], 'server')].status == 'active'


def test_delete_in_an_unreachable_pod_restores_the_routing(
        gateway, client, server):
    client.get('/v2.1/flavors')
    gateway.nova(2).refusing = True

    assert client.request('DELETE', path(server)).status == 503
    assert gateway.routings[(server['id'], 'server')].status == 'active'


@pytest.mark.parametrize('method, suffix', [
    ('GET', '/metadata'), ('POST', '/metadata'), ('PUT', '/metadata'),
    ('GET', '/metadata/a key'), ('PUT', '/metadata/k'),
    ('DELETE', '/metadata/k'), ('GET', '/tags'), ('PUT', '/tags/t1'),
    ('DELETE', '/tags'), ('GET', '/ips'), ('GET', '/ips/private'),
    ('GET', '/os-instance-actions'), ('GET', '/os-instance-actions/req-1'),
    ('GET', '/os-interface'), ('GET', '/os-interface/port-1'),
    ('GET', '/os-volume_attachments'),
    ('DELETE', '/os-volume_attachments/vol-1'),
    ('GET', '/os-server-password'), ('DELETE', '/os-server-password'),
    ('GET', '/diagnostics'), ('POST', '/remote-consoles'),
    ('GET', '/migrations'), ('POST', '/migrations/1/action'),
    ('GET', '/topology'), ('GET', '/os-security-groups'),
])
def test_sub_resources_go_to_the_server_s_pod(gateway, client, server,
                                              method, suffix):
    body = {'x': 1} if method in ('POST', 'PUT') else None

    reply = client.request(method, path(server, suffix.replace(' ', '%20')),
                           body, version='2.80')

    assert reply.status == 200
    call = gateway.nova(2).calls[-1]
    assert (call.method, call.path, call.json, call.microversion) == (
        method, f"servers/{server['id']}{suffix}", body, '2.80')


def test_sub_resource_query_is_forwarded(gateway, client, server):
    client.get(path(server, '/os-instance-actions?limit=1&changes-since=x'))

    assert gateway.nova(2).calls[-1].params == [
        ('limit', '1'), ('changes-since', 'x')]


def test_sub_resource_of_an_unknown_server_is_404(client):
    reply = client.get(f'/v2.1/servers/{UNKNOWN}/ips')

    assert reply.message() == f'Instance {UNKNOWN} could not be found.'


def test_attaching_a_volume_of_another_pod_is_refused(gateway, client,
                                                      server):
    gateway.route('vol-1', gateway.nova(1).pod, resource_type='volume')
    gateway.route('vol-2', gateway.nova(2).pod, resource_type='volume')

    reply = client.post(path(server, '/os-volume_attachments'),
                        {'volumeAttachment': {'volumeId': 'vol-1'}})
    assert (reply.status, reply.message()) == (
        409, f"Volume vol-1 cannot be attached to server {server['id']}: "
             'a volume cannot be attached to a server of another pod.')
    reply = client.post(path(server, '/os-volume_attachments'),
                        {'volumeAttachment': {'volumeId': 'vol-2'}})
    assert reply.status == 200


def test_unsupported_content_type_is_415(client, server):
    reply = client.request('PUT', path(server, '/metadata'),
                           headers={'Content-Type': 'text/xml'})

    assert reply.body == {'badMediaType': {
        'code': 415, 'message': 'Unsupported Content-Type'}}


def test_unknown_sub_resource_and_wrong_method_are_404(client, server):
    assert client.get(path(server, '/bogus')).status == 404
    assert client.request('POST', path(server, '/ips'), {}).status == 404
    assert client.request('DELETE', '/v2.1/servers').status == 404


def test_a_404_that_is_not_nova_s_keeps_the_routing(gateway, client,
                                                    server):
    gateway.script(gateway.nova(2).pod, 'GET',
                   f"/servers/{server['id']}",
                   fakes.pod_response(404, {
                       'message': 'The resource could not be found.'}))

    assert client.get(path(server)).status == 404
    assert (server['id'], 'server') in gateway.routings
