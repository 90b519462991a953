"""resize and rebuild check what they name in the server's pod; rebuild's
answer shows the server at the gateway."""

from __future__ import annotations

import pytest

from trio2o_core.plugin import BadRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import GATEWAY_URL as GATEWAY

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post

ACTION = f'/servers/{SERVER}/action'
IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'


@pytest.mark.parametrize('ref, flavor_id', [
    (2, '2'), ('m1.small', 'm1.small'), ('0', '0')])
def test_resize_checks_the_flavor_then_forwards(
        post: Post, cloud: FakeCloud, ref: object, flavor_id: str) -> None:
    body = {'resize': {'flavorRef': ref}}
    cloud.script(POD1, 'GET', f'/flavors/{flavor_id}',
                 pod_response(200, {'flavor': {'id': flavor_id}}))
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post(body).status_code == 202
    assert [(c.method, c.path, c.json) for c in cloud.calls] == [
        ('GET', f'/flavors/{flavor_id}', None), ('POST', ACTION, body)]


def test_resize_to_a_flavor_the_pod_lacks_is_400(post: Post,
                                                 cloud: FakeCloud) -> None:
    cloud.script(POD1, 'GET', '/flavors/42', pod_response(404, {
        'itemNotFound': {'code': 404, 'message': 'Flavor 42 not found.'}}))
    with pytest.raises(BadRequest) as exc:
        post({'resize': {'flavorRef': '42'}})
    assert exc.value.user_message == 'Flavor 42 could not be found.'
    assert cloud.calls_to('POST') == []


def test_resize_reads_no_url(post: Post, cloud: FakeCloud) -> None:
    ref = 'http://gateway.example/compute/v2.1/flavors/7'
    with pytest.raises(BadRequest) as exc:
        post({'resize': {'flavorRef': ref}})
    assert exc.value.user_message == f'Flavor {ref} could not be found.'
    [call] = cloud.calls
    assert call.path == ('/flavors/http%3A%2F%2Fgateway.example%2Fcompute'
                         '%2Fv2.1%2Fflavors%2F7')


def test_resize_relays_other_answers_of_the_flavor_check(
        post: Post, cloud: FakeCloud) -> None:
    fault = {'forbidden': {'code': 403, 'message': 'no'}}
    cloud.script(POD1, 'GET', '/flavors/2', pod_response(403, fault))
    response = post({'resize': {'flavorRef': '2'}})
    assert (response.status_code, response.json_body) == (403, fault)
    assert cloud.calls_to('POST') == []


def test_rebuild_checks_the_image_with_the_image_api(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'GET', f'/images/{IMAGE}', pod_response(404, {
        'itemNotFound': {'code': 404, 'message': 'Image not found.'}}))
    with pytest.raises(BadRequest) as exc:
        post({'rebuild': {'imageRef': IMAGE}}, version='2.90')
    assert exc.value.user_message == 'Cannot find image for rebuild'
    [call] = cloud.calls
    assert (call.method, call.path, call.microversion) == (
        'GET', f'/images/{IMAGE}', '2.1')


def test_rebuild_answer_is_at_the_gateway(post: Post,
                                          cloud: FakeCloud) -> None:
    pod = cloud.roots[POD1.id]
    body = {'rebuild': {'imageRef': IMAGE, 'name': 'again',
                        'adminPass': 'pw'}}
    server = {
        'id': SERVER, 'status': 'REBUILD', 'adminPass': 'pw',
        'OS-EXT-AZ:availability_zone': 'pod1-zone',
        'image': {'id': IMAGE, 'links': [
            {'rel': 'bookmark', 'href': f'{pod}/images/{IMAGE}'}]},
        'links': [
            {'rel': 'self', 'href': f'{pod}/v2.1/servers/{SERVER}'},
            {'rel': 'bookmark', 'href': f'{pod}/servers/{SERVER}'}]}
    cloud.script(POD1, 'GET', f'/images/{IMAGE}',
                 pod_response(200, {'image': {'id': IMAGE}}))
    cloud.script(POD1, 'POST', ACTION, pod_response(
        202, {'server': server},
        {'Location': f'{pod}/v2.1/servers/{SERVER}'}))
    response = post(body, version='2.75')
    top = f'{GATEWAY}/compute'
    assert response.status_code == 202
    assert response.headers['Location'] == f'{top}/v2.1/servers/{SERVER}'
    got = response.json_body['server']
    assert got['OS-EXT-AZ:availability_zone'] == 'az1'
    assert got['adminPass'] == 'pw'
    assert got['image']['links'][0]['href'] == f'{top}/images/{IMAGE}'
    assert [link['href'] for link in got['links']] == [
        f'{top}/v2.1/servers/{SERVER}', f'{top}/servers/{SERVER}']
    assert cloud.calls_to('POST')[0].json == body
