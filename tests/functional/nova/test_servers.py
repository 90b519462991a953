"""Servers through the gateway in front of two real Nova pods: placement
by zone, the routing rows, hrefs and zones as users see them, tenant
isolation and the delete life cycle."""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exc

from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import routings
from tests.functional.nova.conftest import wait_gone


def routing_of(gateway, admin_session, server_id):
    """The routing row of a server, with its pod's name."""
    [row] = [r for r in routings(gateway, admin_session,
                                 resource_type='server')
             if r['top_id'] == server_id]
    pod = admin_session.get(f"{gateway.url}/admin/v1/pods/{row['pod_id']}")
    return {**row, 'pod_name': pod.json()['pod']['name']}


def test_each_zone_lands_in_its_pod(gateway, admin_session, pair):
    for server, region in zip(pair, ('Pod1', 'Pod2'), strict=True):
        row = routing_of(gateway, admin_session, server.id)
        assert (row['status'], row['pod_name']) == ('active', region)
        assert row['bottom_id'] == server.id


def test_server_shows_the_users_zone_and_gateway_hrefs(gateway, demo, pair):
    for server, zone in zip(pair, ('az1', 'az2'), strict=True):
        response = demo.compute.get(f'/servers/{server.id}',
                                    microversion='2.60')
        body = response.json()['server']
        assert body['OS-EXT-AZ:availability_zone'] == zone
        hrefs = [link['href'] for link in body['links']]
        assert hrefs == [f'{gateway.url}/compute/v2.1/servers/{server.id}',
                         f'{gateway.url}/compute/servers/{server.id}']
        for link in body['image'].get('links', []):
            assert link['href'].startswith(gateway.url)


def test_server_of_another_project_is_404(alt, pair):
    for server in pair:
        response = alt.compute.get(f'/servers/{server.id}',
                                   raise_exc=False)
        assert response.status_code == 404
        assert response.json() == {'itemNotFound': {
            'code': 404,
            'message': f'Instance {server.id} could not be found.'}}


def test_unknown_server_is_404(demo):
    missing = 'c0ffee00-0000-4000-8000-000000000000'

    response = demo.compute.get(f'/servers/{missing}', raise_exc=False)

    assert response.status_code == 404
    assert response.json()['itemNotFound']['message'] == (
        f'Instance {missing} could not be found.')


def test_sub_resources_of_a_routed_server(demo, pair):
    server = pair[1]
    demo.compute.set_server_metadata(server, purpose='test')

    assert demo.compute.fetch_server_metadata(server).metadata == {
        'purpose': 'test'}
    actions = demo.compute.get(f'/servers/{server.id}/os-instance-actions')
    assert actions.json()['instanceActions'][0]['action'] == 'create'
    assert demo.compute.get(f'/servers/{server.id}/ips').status_code == 200


def test_refused_create_leaves_nothing_routed(gateway, admin_session, demo):
    before = routings(gateway, admin_session)

    with pytest.raises(sdk_exc.BadRequestException) as raised:
        demo.compute.create_server(name='bad', image_id=IMAGE_ID,
                                   flavor_id='no-such-flavor',
                                   networks='none', availability_zone='az2')

    assert 'Flavor no-such-flavor could not be found.' in str(raised.value)
    assert routings(gateway, admin_session) == before


def test_several_servers_are_all_routed(gateway, admin_session, demo,
                                        admin):
    first = demo.compute.create_server(
        name='multi', image_id=IMAGE_ID, flavor_id=FLAVOR_ID,
        networks='none', availability_zone='az1', min_count=3)
    try:
        mine = [s for s in demo.compute.servers(name='^multi')]
        assert len(mine) == 3 and first.id in {s.id for s in mine}
        routed = {r['top_id'] for r in routings(
            gateway, admin_session, resource_type='server')}
        assert {s.id for s in mine} <= routed
        assert not routings(gateway, admin_session,
                            resource_type='server_request')
    finally:
        for server in demo.compute.servers(name='^multi'):
            admin.compute.delete_server(server.id, ignore_missing=True)


def test_deleted_server_stays_findable_where_nova_serves_it(
        gateway, admin_session, demo, admin):
    server = boot(demo, 'az2')
    since = demo.compute.get(f'/servers/{server.id}').json()['server'][
        'updated']

    demo.compute.delete_server(server.id)
    wait_gone(demo, server.id)

    rows = {r['top_id']: r for r in routings(gateway, admin_session,
                                              resource_type='server')}
    assert rows[server.id]['status'] == 'deleted'
    actions = demo.compute.get(f'/servers/{server.id}/os-instance-actions',
                               microversion='2.21').json()['instanceActions']
    assert {a['action'] for a in actions} == {'create', 'delete'}
    request_id = actions[0]['request_id']
    action = demo.compute.get(
        f'/servers/{server.id}/os-instance-actions/{request_id}',
        microversion='2.21').json()['instanceAction']
    assert action['instance_uuid'] == server.id
    changed = demo.compute.get('/servers/detail',
                               params={'changes-since': since}).json()
    assert {s['id']: s['status'] for s in changed['servers']}[
        server.id] == 'DELETED'
    deleted = admin.compute.get('/servers/detail', params={
        'deleted': 'true', 'all_tenants': '1'}).json()['servers']
    assert server.id in {s['id'] for s in deleted}
    for path in (f'/servers/{server.id}', f'/servers/{server.id}/metadata'):
        response = demo.compute.get(path, raise_exc=False)
        assert response.json()['itemNotFound']['message'] == (
            f'Instance {server.id} could not be found.')
    old = demo.compute.get(f'/servers/{server.id}/os-instance-actions',
                           microversion='2.20', raise_exc=False)
    assert old.status_code == 404
