"""createImage and createBackup: the image id or Location as Nova gives
it, pointing at the gateway."""

from __future__ import annotations

import json

import pytest

from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import GATEWAY_URL as GATEWAY

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post

ACTION = f'/servers/{SERVER}/action'
IMAGE = '9d0b2c61-7c0b-4a35-9e4f-1c2b3a4d5e6f'
POD_GLANCE = 'http://glance.pod1.example:9292'


@pytest.mark.parametrize('public_url, base', [
    (None, GATEWAY), ('https://cloud.example/api', 'https://cloud.example/api')
])
def test_create_image_location_is_the_gateway_image_service(
        post: Post, cloud: FakeCloud, public_url: str | None,
        base: str) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(
        202, headers={'Location': f'{POD_GLANCE}/images/{IMAGE}',
                      'Content-Type': 'text/html; charset=UTF-8'}))
    response = post({'createImage': {'name': 'snap'}}, version='2.44',
                    public_url=public_url)
    assert response.status_code == 202
    assert response.headers['Location'] == f'{base}/image/v2/images/{IMAGE}'
    assert response.content_type == 'text/html'
    assert response.body == b''


def test_create_image_from_2_45_answers_the_id(post: Post,
                                               cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION,
                 pod_response(202, {'image_id': IMAGE}))
    response = post({'createImage': {'name': 'snap'}}, version='2.45')
    assert response.json_body == {'image_id': IMAGE}
    assert 'Location' not in response.headers


def test_create_image_refused_by_the_pod_passes_through(
        post: Post, cloud: FakeCloud) -> None:
    fault = {'conflictingRequest': {'code': 409, 'message': (
        f"Cannot 'createImage' instance {SERVER} while it is in task_state "
        'image_snapshot')}}
    cloud.script(POD1, 'POST', ACTION, pod_response(409, fault))
    response = post({'createImage': {'name': 'snap'}})
    assert (response.status_code, response.json_body) == (409, fault)
    assert 'Location' not in response.headers


def test_create_backup_location_is_the_gateway_compute_api(
        post: Post, cloud: FakeCloud) -> None:
    pod = cloud.roots[POD1.id]
    cloud.script(POD1, 'POST', ACTION, pod_response(
        202, headers={'Location': f'{pod}/v2.1/images/{IMAGE}'}))
    response = post({'createBackup': {'name': 'b', 'backup_type': 'daily',
                                      'rotation': 1}})
    assert response.headers['Location'] == (
        f'{GATEWAY}/compute/v2.1/images/{IMAGE}')


def test_create_backup_without_rotation_has_no_location(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    response = post({'createBackup': {'name': 'b', 'backup_type': 'daily',
                                      'rotation': 0}})
    assert response.status_code == 202
    assert 'Location' not in response.headers


VOLUME_SNAPSHOT = '3a4b5c6d-1111-4222-8333-944455556666'


def test_create_image_of_a_volume_backed_server_routes_its_snapshots(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'GET', f'/servers/{SERVER}', pod_response(200, {
        'server': {'id': SERVER, 'image': ''}}))
    cloud.script(POD1, 'POST', ACTION, pod_response(
        202, headers={'Location': f'{POD_GLANCE}/images/{IMAGE}'}))
    cloud.script(POD1, 'GET', f'/images/{IMAGE}', pod_response(200, {
        'image': {'id': IMAGE, 'metadata': {
            'block_device_mapping': json.dumps([
                {'source_type': 'snapshot', 'snapshot_id': VOLUME_SNAPSHOT},
                {'source_type': 'blank', 'snapshot_id': None}])}}}))

    response = post({'createImage': {'name': 'snap'}}, version='2.44')

    assert response.status_code == 202
    routing = cloud.routings[(VOLUME_SNAPSHOT, 'snapshot')]
    assert (routing.pod.id, routing.bottom_id, routing.status) == (
        POD1.id, VOLUME_SNAPSHOT, 'active')


def test_create_image_of_an_image_backed_server_reads_no_image(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'GET', f'/servers/{SERVER}', pod_response(200, {
        'server': {'id': SERVER, 'image': {'id': 'i1'}}}))
    cloud.script(POD1, 'POST', ACTION,
                 pod_response(202, {'image_id': IMAGE}))

    response = post({'createImage': {'name': 'snap'}}, version='2.45')

    assert response.json_body == {'image_id': IMAGE}
    assert not [call for call in cloud.calls
                if call.path == f'/images/{IMAGE}']
    assert not [key for key in cloud.routings if key[1] == 'snapshot']
