"""Host aggregates (admin) through the gateway against two real Nova
pods: one name in every pod, hosts in their own pod, writes all or
none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest

from tests.functional.nova.conftest import Connection
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='module')
def pod_admins(gateway: GatewayProcess) -> list[Connection]:
    """openstacksdk as the admin straight to each pod."""
    cloud = gateway.cloud
    return [openstack.connection.Connection(
        session=cloud.session(cloud.admin), region_name=region)
        for region in ('Pod1', 'Pod2')]


def in_pod(pod: Connection, name: str) -> dict[str, Any] | None:
    """The pod's aggregate named ``name`` (None when it has none)."""
    return next((a for a in pod.compute.get('/os-aggregates').json()[
        'aggregates'] if a['name'] == name), None)


@pytest.fixture
def name(pod_admins: list[Connection]) -> Iterator[str]:
    """An aggregate name; the aggregates of that name (and of that name
    with ``-new``) are emptied and deleted from both pods afterwards."""
    name = f'gw-agg-{uuid.uuid4().hex[:8]}'
    yield name
    for pod in pod_admins:
        for each in (name, name + '-new'):
            found = in_pod(pod, each)
            if found is None:
                continue
            for host in found['hosts']:
                pod.compute.post(f"/os-aggregates/{found['id']}/action",
                                 json={'remove_host': {'host': host}})
            pod.compute.delete(f"/os-aggregates/{found['id']}")


def create(conn: Connection, name: str, **fields: Any) -> Any:
    return conn.compute.post('/os-aggregates', json={'aggregate': {
        'name': name, **fields}}, raise_exc=False)


def compute_host(admin: Connection, pod: str) -> str:
    """A compute host of ``pod`` as the gateway names it."""
    return next(s['host'] for s in admin.compute.get(
        '/os-services').json()['services']
        if s['binary'] == 'nova-compute' and s['host'].endswith('@' + pod))


def test_aggregate_made_in_every_pod_and_shown_once(admin, pod_admins,
                                                    name):
    response = create(admin, name)

    assert response.status_code == 200
    made = response.json()['aggregate']
    records = [in_pod(pod, name) for pod in pod_admins]
    assert None not in records
    # Nova's create answers without hosts and metadata
    assert made['id'] == records[0]['id'] and 'hosts' not in made
    listed = [a for a in admin.compute.get('/os-aggregates').json()[
        'aggregates'] if a['name'] == name]
    assert [a['id'] for a in listed] == [made['id']]
    shown = admin.compute.get(f"/os-aggregates/{made['id']}").json()
    assert shown['aggregate']['name'] == name


def test_hosts_of_both_pods_in_one_aggregate(admin, pod_admins, name):
    made = create(admin, name).json()['aggregate']
    hosts = [compute_host(admin, pod) for pod in ('Pod1', 'Pod2')]

    for host in hosts:
        added = admin.compute.post(
            f"/os-aggregates/{made['id']}/action",
            json={'add_host': {'host': host}})
        assert host in added.json()['aggregate']['hosts']
    again = admin.compute.post(f"/os-aggregates/{made['id']}/action",
                               json={'add_host': {'host': hosts[1]}},
                               raise_exc=False)

    shown = admin.compute.get(f"/os-aggregates/{made['id']}").json()
    assert sorted(shown['aggregate']['hosts']) == sorted(hosts)
    assert [in_pod(pod, name)['hosts'] for pod in pod_admins] == [
        [host.rsplit('@', 1)[0]] for host in hosts]
    assert again.status_code == 409

    refused = admin.compute.delete(f"/os-aggregates/{made['id']}",
                                   raise_exc=False)
    assert refused.status_code == 400
    assert [in_pod(pod, name) is not None for pod in pod_admins] == [
        True, True]

    removed = admin.compute.post(
        f"/os-aggregates/{made['id']}/action",
        json={'remove_host': {'host': hosts[1]}})
    assert removed.json()['aggregate']['hosts'] == [hosts[0]]
    assert in_pod(pod_admins[1], name)['hosts'] == []


def test_unknown_host_and_aggregate_are_nova_s_404(admin, name):
    made = create(admin, name).json()['aggregate']

    host = admin.compute.post(f"/os-aggregates/{made['id']}/action",
                              json={'add_host': {'host': 'nothing@Pod2'}},
                              raise_exc=False)
    missing = admin.compute.get('/os-aggregates/-1', raise_exc=False)

    assert host.status_code == 404
    assert host.json()['itemNotFound']['message'] == (
        'Compute host nothing could not be found.')
    assert missing.status_code == 404
    assert 'itemNotFound' in missing.json()


def test_metadata_and_name_in_every_pod(admin, pod_admins, name):
    made = create(admin, name).json()['aggregate']

    meta = admin.compute.post(f"/os-aggregates/{made['id']}/action",
                              json={'set_metadata': {'metadata': {
                                  'ssd': 'true'}}})
    renamed = admin.compute.put(f"/os-aggregates/{made['id']}", json={
        'aggregate': {'name': name + '-new'}})

    assert meta.json()['aggregate']['metadata']['ssd'] == 'true'
    assert renamed.json()['aggregate']['name'] == name + '-new'
    for pod in pod_admins:
        record = in_pod(pod, name + '-new')
        assert record['metadata']['ssd'] == 'true'


def test_write_a_later_pod_refuses_is_undone(admin, pod_admins, name):
    made = create(admin, name).json()['aggregate']
    create(pod_admins[1], name + '-new')

    refused = admin.compute.put(f"/os-aggregates/{made['id']}", json={
        'aggregate': {'name': name + '-new'}}, raise_exc=False)

    assert refused.status_code == 409
    assert in_pod(pod_admins[0], name) is not None
    assert in_pod(pod_admins[0], name + '-new') is None


def test_create_a_later_pod_refuses_is_made_nowhere(admin, pod_admins,
                                                    name):
    create(pod_admins[1], name)

    refused = create(admin, name)

    assert refused.status_code == 409
    assert in_pod(pod_admins[0], name) is None


def test_an_aggregate_zone_is_refused(admin, pod_admins, name):
    response = create(admin, name, availability_zone='az1')

    assert response.status_code == 400
    assert response.json()['badRequest']['message'].startswith(
        'An aggregate cannot set an availability zone')
    assert [in_pod(pod, name) for pod in pod_admins] == [None, None]


def test_aggregates_are_admin_only(demo, admin, name):
    made = create(admin, name).json()['aggregate']

    listed = demo.compute.get('/os-aggregates', raise_exc=False)
    shown = demo.compute.get(f"/os-aggregates/{made['id']}",
                             raise_exc=False)

    assert listed.status_code == 403
    assert shown.status_code == 403


def test_delete_in_every_pod(admin, pod_admins, name):
    made = create(admin, name).json()['aggregate']

    deleted = admin.compute.delete(f"/os-aggregates/{made['id']}")
    again = admin.compute.delete(f"/os-aggregates/{made['id']}",
                                 raise_exc=False)

    assert deleted.status_code == 200
    assert [in_pod(pod, name) for pod in pod_admins] == [None, None]
    assert again.status_code == 404
