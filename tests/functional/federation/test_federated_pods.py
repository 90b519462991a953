"""One shared and one federated pod behind the gateway: servers and
volumes in each zone, lists merged, actions and attach in the federated
pod, projects kept apart, the pod-side project recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.cinder.conftest import wait_status
from tests.functional.nova.conftest import ZONES
from tests.functional.nova.conftest import Connection
from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import routings
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.cloud import Pod


@pytest.fixture(scope='module')
def servers(demo: Connection, admin: Connection) -> Iterator[list[Any]]:
    """One ACTIVE server of the demo user in each zone."""
    made: list[Any] = []
    try:
        for zone in ZONES:
            made.append(boot(demo, zone))
        yield made
    finally:
        for server in made:
            admin.compute.delete_server(server.id, ignore_missing=True)


@pytest.fixture(scope='module')
def volumes(demo: Connection) -> Iterator[list[dict[str, Any]]]:
    """One available volume of the demo user in each zone."""
    made: list[dict[str, Any]] = []
    try:
        for zone in ZONES:
            made.append(make_volume(demo, zone))
        yield made
    finally:
        for volume in made:
            delete_volume(demo, volume['id'])


def pod_project(pod: Pod, name: str) -> str:
    """The id of the federated pod's project ``name``."""
    assert pod.keystone is not None
    return pod.keystone.ensure_project(name)


def test_servers_land_in_each_pod_and_list_as_one(
        gateway, demo, admin_session, servers, pod2, pod2_admin):
    rows = {row['top_id']: row for row in routings(
        gateway, admin_session, resource_type='server')}
    pods = {p['id']: p['name'] for p in admin_session.get(
        gateway.url + '/admin/v1/pods').json()['pods']}
    assert [pods[rows[s.id]['pod_id']] for s in servers] == ['Pod1', 'Pod2']
    top_project = demo.current_project_id
    # owned by the top project; made in the pod's own project of that name
    assert {rows[s.id]['project_id'] for s in servers} == {top_project}
    assert rows[servers[0].id]['pod_project_id'] is None
    in_pod = pod2_admin.compute.get_server(servers[1].id)
    assert in_pod.project_id == pod_project(pod2, 'demo') != top_project
    assert rows[servers[1].id]['pod_project_id'] == in_pod.project_id

    listed = {s.id: s.availability_zone for s in demo.compute.servers()}
    assert {s.id: listed.get(s.id) for s in servers} == {
        servers[0].id: 'az1', servers[1].id: 'az2'}
    shown = demo.compute.get_server(servers[1].id)
    assert (shown.status, shown.availability_zone) == ('ACTIVE', 'az2')
    # the gateway shows the caller's own project, not the pod's
    assert shown.project_id == top_project


def test_volumes_land_in_each_pod_and_list_as_one(demo, volumes, pod2,
                                                  pod2_admin):
    listed = demo.block_storage.get('/volumes/detail').json()['volumes']
    zones = {v['id']: v['availability_zone'] for v in listed}
    assert [zones.get(v['id']) for v in volumes] == ['az1', 'az2']
    federated = [v for v in listed if v['id'] == volumes[1]['id']][0]
    hrefs = [link['href'] for link in federated['links']]
    assert hrefs and all(demo.current_project_id in href for href in hrefs)
    in_pod = pod2_admin.block_storage.get(
        f'/volumes/{volumes[1]["id"]}').json()['volume']
    assert in_pod['os-vol-tenant-attr:tenant_id'] == pod_project(pod2,
                                                                 'demo')


def test_action_and_attach_in_the_federated_pod(demo, servers, volumes):
    server, volume = servers[1], volumes[1]
    demo.compute.stop_server(server.id)
    wait_for(lambda: demo.compute.get_server(server.id).status == 'SHUTOFF',
             'stopped in Pod2')
    demo.compute.start_server(server.id)
    wait_for(lambda: demo.compute.get_server(server.id).status == 'ACTIVE',
             'started in Pod2')

    attached = demo.compute.post(
        f'/servers/{server.id}/os-volume_attachments',
        json={'volumeAttachment': {'volumeId': volume['id']}},
        raise_exc=False)
    assert attached.status_code == 200, attached.text
    wait_status(demo, f'/volumes/{volume["id"]}', 'volume', 'in-use')
    detached = demo.compute.delete(
        f'/servers/{server.id}/os-volume_attachments/{volume["id"]}',
        raise_exc=False)
    assert detached.status_code == 202, detached.text
    wait_status(demo, f'/volumes/{volume["id"]}', 'volume')


def test_another_project_is_kept_out(alt, servers, volumes):
    listed = {s.id for s in alt.compute.servers()}
    assert not listed & {s.id for s in servers}
    for server in servers:
        shown = alt.compute.get(f'/servers/{server.id}', raise_exc=False)
        assert shown.status_code == 404
    vols = alt.block_storage.get('/volumes').json()['volumes']
    assert not {v['id'] for v in vols} & {v['id'] for v in volumes}
    shown = alt.block_storage.get(f'/volumes/{volumes[1]["id"]}',
                                  raise_exc=False)
    assert shown.status_code == 404
