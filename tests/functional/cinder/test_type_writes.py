"""Volume type writes, extra specs and type access through the gateway:
made in both real Cinder pods or in none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.nova.conftest import wait_for


def pod_types(gateway, admin, pod) -> dict[str, dict[str, Any]]:
    """The pod's own types (public and private), by name, asked past the
    gateway."""
    answer = admin.session.get(
        f'{pod.volume_url}/{admin.current_project_id}/types',
        params={'is_public': 'None'})
    return {t['name']: t for t in answer.json()['volume_types']}


def direct(admin, pod, method: str, path: str, **kwargs: Any) -> Any:
    """A call straight to a pod's Cinder as the admin."""
    return admin.session.request(
        f'{pod.volume_url}/{admin.current_project_id}/{path}', method,
        raise_exc=False, **kwargs)


@pytest.fixture
def type_name(gateway, admin) -> Iterator[str]:
    """A fresh type name; whatever pod holds it at the end loses it."""
    name = f'gw-type-{uuid.uuid4().hex[:8]}'
    yield name
    for pod in gateway.cloud.pods:
        made = pod_types(gateway, admin, pod).get(name)
        if made:
            direct(admin, pod, 'DELETE', f'types/{made["id"]}')


def test_type_lifecycle_in_every_pod(gateway, admin, demo, type_name):
    pods = gateway.cloud.pods
    created = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name, 'description': 'one',
        'extra_specs': {'a': '1'}}})
    assert created.status_code == 200
    shown = created.json()['volume_type']
    first, second = (pod_types(gateway, admin, pod)[type_name]
                     for pod in pods)
    assert shown['id'] == first['id'] != second['id']
    assert second['extra_specs'] == {'a': '1'}
    listed = admin.block_storage.get('/types').json()['volume_types']
    assert shown['id'] in [t['id'] for t in listed]

    again = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name}}, raise_exc=False)
    assert again.status_code == 409
    assert again.json() == {'conflictingRequest': {
        'code': 409, 'message': f'Volume Type {type_name} already exists.'}}

    # the second pod's id names the same type
    updated = admin.block_storage.put(f'/types/{second["id"]}', json={
        'volume_type': {'description': 'two'}})
    assert updated.status_code == 200
    assert updated.json()['volume_type']['id'] == first['id']
    assert {pod_types(gateway, admin, pod)[type_name]['description']
            for pod in pods} == {'two'}

    path = f'/types/{shown["id"]}/extra_specs'
    posted = admin.block_storage.post(path, json={'extra_specs': {'b': '2'}})
    assert posted.json() == {'extra_specs': {'b': '2'}}
    assert admin.block_storage.put(f'{path}/a', json={'a': '9'}).json() == {
        'a': '9'}
    assert admin.block_storage.delete(f'{path}/b').status_code == 202
    assert admin.block_storage.get(path).json() == {
        'extra_specs': {'a': '9'}}
    assert admin.block_storage.get(f'{path}/a').json() == {'a': '9'}
    assert [pod_types(gateway, admin, pod)[type_name]['extra_specs']
            for pod in pods] == [{'a': '9'}, {'a': '9'}]
    missing = admin.block_storage.get(f'{path}/nope', raise_exc=False)
    assert missing.status_code == 404
    # a JSON null body is the pod's to judge, as Cinder judges it
    null = admin.block_storage.put(f'{path}/a', data='null', headers={
        'Content-Type': 'application/json'}, raise_exc=False)
    straight = direct(admin, pods[0], 'PUT',
                      f'types/{first["id"]}/extra_specs/a', data='null',
                      headers={'Content-Type': 'application/json'})
    assert null.status_code == straight.status_code == 400
    assert null.json() == straight.json()

    deleted = admin.block_storage.delete(f'/types/{shown["id"]}')
    assert deleted.status_code == 202
    assert all(type_name not in pod_types(gateway, admin, pod)
               for pod in pods)
    gone = admin.block_storage.get(f'/types/{shown["id"]}', raise_exc=False)
    assert gone.status_code == 404


def test_type_access_in_every_pod(gateway, admin, demo, type_name):
    made = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name, 'os-volume-type-access:is_public': False}})
    type_id = made.json()['volume_type']['id']
    project = demo.current_project_id
    added = admin.block_storage.post(f'/types/{type_id}/action', json={
        'addProjectAccess': {'project': project}})
    assert added.status_code == 202
    access = admin.block_storage.get(
        f'/types/{type_id}/os-volume-type-access').json()
    assert access == {'volume_type_access': [
        {'volume_type_id': type_id, 'project_id': project}]}
    for pod in gateway.cloud.pods:
        pod_id = pod_types(gateway, admin, pod)[type_name]['id']
        listed = direct(admin, pod, 'GET',
                        f'types/{pod_id}/os-volume-type-access').json()
        assert [a['project_id'] for a in listed['volume_type_access']] == [
            project]
    assert type_id in [t['id'] for t in demo.block_storage.get(
        '/types').json()['volume_types']]
    removed = admin.block_storage.post(f'/types/{type_id}/action', json={
        'removeProjectAccess': {'project': project}})
    assert removed.status_code == 202
    assert admin.block_storage.get(
        f'/types/{type_id}/os-volume-type-access').json() == {
        'volume_type_access': []}


def test_create_refused_by_the_second_pod_is_undone(gateway, admin,
                                                    type_name):
    first, second = gateway.cloud.pods
    assert direct(admin, second, 'POST', 'types', json={'volume_type': {
        'name': type_name}}).status_code == 200
    refused = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name}}, raise_exc=False)
    assert refused.json() == {'conflictingRequest': {
        'code': 409, 'message': f'Volume Type {type_name} already exists.'}}
    assert type_name not in pod_types(gateway, admin, first)


def test_delete_refused_by_a_pod_is_undone(gateway, admin, demo,
                                           type_name):
    """A type in use in pod 2 cannot be deleted there: pod 1 gets it
    back (same name, extra specs, a new id)."""
    first, second = gateway.cloud.pods
    made = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name, 'extra_specs': {'k': 'v'}}}).json()
    volume = admin.block_storage.post('/volumes', json={'volume': {
        'size': 1, 'volume_type': type_name,
        'availability_zone': 'az2'}}).json()['volume']
    try:
        refused = admin.block_storage.delete(
            f'/types/{made["volume_type"]["id"]}', raise_exc=False)
        assert refused.json() == {'badRequest': {
            'code': 400, 'message': 'Target volume type is still in use.'}}
        again = pod_types(gateway, admin, first)[type_name]
        assert again['extra_specs'] == {'k': 'v'}
        assert type_name in pod_types(gateway, admin, second)
    finally:
        wait_for(lambda: admin.block_storage.get(
            f'/volumes/{volume["id"]}').json()['volume']['status']
            in ('available', 'error'), 'volume settled')
        admin.block_storage.delete(f'/volumes/{volume["id"]}')
        wait_for(lambda: admin.block_storage.get(
            f'/volumes/{volume["id"]}', raise_exc=False).status_code == 404,
            'volume gone')


def test_a_pod_down_makes_the_type_nowhere(gateway, admin, demo,
                                           type_name):
    first, second = gateway.cloud.pods
    second.proxy.refuse()
    try:
        refused = admin.block_storage.post('/types', json={'volume_type': {
            'name': type_name}}, raise_exc=False)
        assert refused.json() == {'serviceUnavailable': {
            'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
        assert type_name not in pod_types(gateway, admin, first)
    finally:
        second.proxy.clear()
        wait_for(lambda: admin.block_storage.get(
            '/types', raise_exc=False).headers.get(
            'X-Trio2o-Partial') is None, 'pod 2 reachable again')


def test_non_admins_get_the_pods_403(demo):
    listed = demo.block_storage.get('/types').json()['volume_types']
    refused = demo.block_storage.post('/types', json={'volume_type': {
        'name': 'never'}}, raise_exc=False)
    assert refused.status_code == 403
    assert list(refused.json()) == ['forbidden']
    deleted = demo.block_storage.delete(f'/types/{listed[0]["id"]}',
                                        raise_exc=False)
    assert deleted.status_code == 403
    unknown = demo.block_storage.put(f'/types/{uuid.uuid4()}', json={
        'volume_type': {'description': 'x'}}, raise_exc=False)
    assert unknown.status_code == 403


def test_a_volume_of_another_pods_type_id(gateway, admin, demo, type_name):
    """The shown id is pod 1's: a volume made in pod 2 with it gets the
    type by name."""
    made = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name}}).json()['volume_type']
    volume = make_volume(demo, 'az2', volume_type=made['id'])
    try:
        assert volume['volume_type'] == type_name
    finally:
        delete_volume(demo, volume['id'])


def test_encryption_in_every_pod_or_none(gateway, admin, type_name):
    pods = gateway.cloud.pods
    made = admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name}}).json()['volume_type']
    path = f'/types/{made["id"]}/encryption'
    spec = {'provider': 'LuksEncryptor', 'cipher': 'aes-xts-plain64',
            'key_size': 256, 'control_location': 'front-end'}

    def per_pod() -> list[dict[str, Any]]:
        return [direct(admin, pod, 'GET', 'types/' + pod_types(
            gateway, admin, pod)[type_name]['id'] + '/encryption').json()
            for pod in pods]

    # pod 2 already has one: the create is refused there, undone in pod 1
    second_id = pod_types(gateway, admin, pods[1])[type_name]['id']
    direct(admin, pods[1], 'POST', f'types/{second_id}/encryption',
           json={'encryption': spec})
    refused = admin.block_storage.post(path, json={'encryption': spec},
                                       raise_exc=False)
    assert refused.json()['badRequest']['message'] == (
        f'Volume type encryption for type {second_id} already exists.')
    assert per_pod()[0] == {}
    direct(admin, pods[1], 'DELETE', f'types/{second_id}/encryption/x')

    created = admin.block_storage.post(path, json={'encryption': spec})
    assert created.json()['encryption'].items() >= spec.items()
    shown = admin.block_storage.get(path).json()
    assert shown['volume_type_id'] == made['id']
    assert all(e['provider'] == 'LuksEncryptor' for e in per_pod())
    encryption_id = shown['encryption_id']
    assert admin.block_storage.put(f'{path}/{encryption_id}', json={
        'encryption': {'provider': 'Other', 'key_size': 128}}
    ).status_code == 200
    assert admin.block_storage.get(f'{path}/provider').json() == {
        'provider': 'Other'}
    assert [e['key_size'] for e in per_pod()] == [128, 128]
    assert admin.block_storage.delete(
        f'{path}/{encryption_id}').status_code == 202
    assert per_pod() == [{}, {}]
