"""Flavor management through the gateway against two real Nova pods:
each write lands in both pods (same id, extra specs and access) or in
neither."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest

from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import Connection
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='module')
def pod1_admin(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the admin straight to pod 1, past the gateway."""
    cloud = gateway.cloud
    return openstack.connection.Connection(
        session=cloud.session(cloud.admin), region_name='Pod1')


@pytest.fixture
def pods(pod1_admin: Connection, pod2_admin: Connection) -> list[Connection]:
    return [pod1_admin, pod2_admin]


@pytest.fixture
def name(pods: list[Connection]) -> Iterator[str]:
    """A flavor name; every flavor of that name is deleted afterwards from
    both pods."""
    name = f'gw-flavor-{uuid.uuid4().hex[:8]}'
    yield name
    for pod in pods:
        for flavor in pod.compute.flavors(is_public=None):
            if flavor.name == name:
                pod.compute.delete_flavor(flavor.id)


def create(conn: Connection, name: str, **fields: Any) -> Any:
    body = {'flavor': {'name': name, 'ram': 64, 'vcpus': 1, 'disk': 1,
                       **fields}}
    return conn.compute.post('/flavors', json=body, raise_exc=False)


def flavor_in(pod: Connection, flavor_id: str) -> Any:
    response = pod.compute.get(f'/flavors/{flavor_id}', raise_exc=False)
    return response.json()['flavor'] if response.status_code == 200 else None


def specs_in(pod: Connection, flavor_id: str) -> dict[str, str]:
    return pod.compute.get(
        f'/flavors/{flavor_id}/os-extra_specs').json()['extra_specs']


def access_in(pod: Connection, flavor_id: str) -> list[str]:
    access = pod.compute.get(
        f'/flavors/{flavor_id}/os-flavor-access').json()['flavor_access']
    return [entry['tenant_id'] for entry in access]


def test_flavor_made_in_every_pod_with_the_id_the_first_gave(admin, pods,
                                                             name):
    response = create(admin, name, id=None)

    assert response.status_code == 200
    made = response.json()['flavor']
    assert made['name'] == name and made['ram'] == 64
    assert made['links'][0]['href'].startswith(
        admin.compute.get_endpoint().split('/v2.1')[0])
    for pod in pods:
        assert flavor_in(pod, made['id'])['name'] == name
    assert admin.compute.get(f"/flavors/{made['id']}").json()[
        'flavor']['id'] == made['id']


def test_flavor_with_a_name_a_later_pod_has_is_made_nowhere(admin, pods,
                                                            name):
    kept = create(pods[1], name).json()['flavor']

    response = create(admin, name, id=f'{name}-id')

    assert response.status_code == 409
    assert response.json()['conflictingRequest']['message'] == (
        f'Flavor with name {name} already exists.')
    assert flavor_in(pods[0], f'{name}-id') is None
    assert flavor_in(pods[1], kept['id'])['name'] == name


def test_flavor_delete_in_every_pod(admin, pods, name):
    made = create(admin, name).json()['flavor']

    deleted = admin.compute.delete(f"/flavors/{made['id']}")
    again = admin.compute.delete(f"/flavors/{made['id']}", raise_exc=False)

    assert deleted.status_code == 202
    assert [flavor_in(pod, made['id']) for pod in pods] == [None, None]
    assert again.status_code == 404
    assert again.json()['itemNotFound']['message'] == (
        f"Flavor {made['id']} could not be found.")


def test_flavor_extra_specs_in_every_pod(admin, pods, name):
    flavor_id = create(admin, name).json()['flavor']['id']

    added = admin.compute.post(f'/flavors/{flavor_id}/os-extra_specs',
                               json={'extra_specs': {'hw:cpu_policy':
                                                     'shared', 'a': '1'}})
    put = admin.compute.put(f'/flavors/{flavor_id}/os-extra_specs/a',
                            json={'a': '2'})
    removed = admin.compute.delete(
        f'/flavors/{flavor_id}/os-extra_specs/hw:cpu_policy')
    missing = admin.compute.delete(
        f'/flavors/{flavor_id}/os-extra_specs/nothing', raise_exc=False)

    assert added.json() == {'extra_specs': {'hw:cpu_policy': 'shared',
                                            'a': '1'}}
    assert put.json() == {'a': '2'}
    assert removed.status_code == 200
    assert missing.status_code == 404
    for pod in pods:
        assert specs_in(pod, flavor_id) == {'a': '2'}
    assert admin.compute.get(f'/flavors/{flavor_id}/os-extra_specs/a'
                             ).json() == {'a': '2'}


def test_extra_specs_a_later_pod_refuses_are_undone(admin, pods, name):
    flavor_id = create(admin, name).json()['flavor']['id']
    admin.compute.post(f'/flavors/{flavor_id}/os-extra_specs',
                       json={'extra_specs': {'a': '1'}})
    pods[1].compute.delete_flavor(flavor_id)

    response = admin.compute.post(
        f'/flavors/{flavor_id}/os-extra_specs',
        json={'extra_specs': {'a': '2', 'b': '3'}}, raise_exc=False)

    assert response.status_code == 404
    assert specs_in(pods[0], flavor_id) == {'a': '1'}


def test_flavor_access_in_every_pod_and_undone(admin, alt, pods, name):
    flavor_id = create(admin, name, **{
        'os-flavor-access:is_public': False}).json()['flavor']['id']
    project = alt.current_project_id

    added = admin.compute.post(f'/flavors/{flavor_id}/action', json={
        'addTenantAccess': {'tenant': project}})

    assert added.json() == {'flavor_access': [
        {'flavor_id': flavor_id, 'tenant_id': project}]}
    assert [access_in(pod, flavor_id) for pod in pods] == [[project]] * 2
    assert alt.compute.get(f'/flavors/{flavor_id}').status_code == 200

    pods[1].compute.post(f'/flavors/{flavor_id}/action', json={
        'removeTenantAccess': {'tenant': project}})
    refused = admin.compute.post(f'/flavors/{flavor_id}/action', json={
        'removeTenantAccess': {'tenant': project}}, raise_exc=False)

    assert refused.status_code == 404
    assert [access_in(pod, flavor_id) for pod in pods] == [[project], []]


def test_flavor_writes_are_admin_only(demo, name):
    response = create(demo, name)

    assert response.status_code == 403
    assert 'forbidden' in response.json()


def test_server_with_a_flavor_its_pod_lacks_is_nova_s_400(demo, pods,
                                                          gateway, name):
    only_in_pod2 = create(pods[1], name).json()['flavor']['id']

    response = demo.compute.post('/servers', json={'server': {
        'name': name, 'imageRef': IMAGE_ID, 'flavorRef': only_in_pod2,
        'networks': 'none', 'availability_zone': 'az1'}},
        microversion='2.37', raise_exc=False)

    assert response.status_code == 400
    assert response.json()['badRequest']['message'] == (
        f'Flavor {only_in_pod2} could not be found.')
    assert not [s for s in demo.compute.servers() if s.name == name]
