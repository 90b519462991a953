"""The image service passed through to the real Glance behind the
gateway: data streamed both ways, Glance's own answers, hrefs at the
gateway."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='module')
def demo(gateway: GatewayProcess):
    return gateway.connection(gateway.cloud.users[0])


def test_the_catalog_sends_image_calls_to_the_gateway(gateway, demo):
    endpoint = demo.image.get_endpoint()
    assert endpoint.startswith(gateway.url + '/image')


def test_upload_and_download_round_trip(demo):
    data = os.urandom(3 * 1024 * 1024 + 17)
    image = demo.image.create_image(
        name='gw-roundtrip', data=data, disk_format='raw',
        container_format='bare', wait=True, timeout=120)
    try:
        # the SDK hands back the record it created (queued): read it again
        image = demo.image.get_image(image.id)
        assert image.status == 'active'
        assert image.size == len(data)
        downloaded = demo.image.download_image(image)
        assert downloaded.content == data
    finally:
        demo.image.delete_image(image, ignore_missing=True)
    assert demo.image.find_image(image.id, ignore_missing=True) is None


def test_well_known_images_are_listed_by_name(demo):
    names = {image.name for image in demo.image.images()}
    assert 'fakeimage7' in names


def test_glance_errors_come_back_unchanged(gateway, demo):
    token = demo.session.get_token()
    response = requests.get(
        gateway.url + '/image/v2/images/00000000-0000-0000-0000-000000000000',
        headers={'X-Auth-Token': token, 'Accept': 'application/json'},
        timeout=30)
    assert response.status_code == 404
    assert response.json()['code'] == '404 Not Found'


def test_a_trailing_slash_reaches_glance(gateway, demo):
    token = demo.session.get_token()
    headers = {'X-Auth-Token': token, 'Accept': 'application/json'}

    slashed = requests.get(gateway.url + '/image/v2/images/',
                           headers=headers, timeout=30)
    plain = requests.get(gateway.url + '/image/v2/images', headers=headers,
                         timeout=30)

    assert slashed.status_code == 404
    assert plain.status_code == 200


def test_versions_without_a_token(gateway):
    listed = requests.get(gateway.url + '/image/versions', timeout=30)
    assert listed.status_code == 200
    hrefs = [link['href'] for version in listed.json()['versions']
             for link in version['links']]
    assert hrefs and all(h.startswith(gateway.url + '/image/')
                         for h in hrefs)
    root = requests.get(gateway.url + '/image/', timeout=30)
    assert root.status_code == 300


def test_no_token_is_refused(gateway):
    response = requests.get(gateway.url + '/image/v2/images', timeout=30)
    assert response.status_code == 401


def test_chunked_upload_reaches_glance_whole(gateway, demo):
    """A body without Content-Length (a client streaming from a pipe) is
    streamed to Glance: the image has the data's size and checksums."""
    data = os.urandom(2 * 1024 * 1024 + 5)
    image = demo.image.create_image(
        name='gw-chunked', disk_format='raw', container_format='bare')
    url = f'{gateway.url}/image/v2/images/{image.id}/file'

    def pieces():
        for start in range(0, len(data), 100_000):
            yield data[start:start + 100_000]

    try:
        response = requests.put(
            url, data=pieces(), timeout=120,
            headers={'X-Auth-Token': demo.session.get_token(),
                     'Content-Type': 'application/octet-stream'})
        assert response.status_code == 204, response.text
        assert response.request.headers.get('Transfer-Encoding') == (
            'chunked')
        assert 'Content-Length' not in response.request.headers
        stored = demo.image.get_image(image.id)
        assert stored.status == 'active'
        assert stored.size == len(data)
        assert stored.checksum == hashlib.md5(data).hexdigest()
        assert stored.hash_value == hashlib.sha512(data).hexdigest()
    finally:
        demo.image.delete_image(image, ignore_missing=True)


@pytest.mark.parametrize('path', [
    '/image/%2E%2E/', '/image/v2/%2e%2e/%2e%2e/', '/image/v2/images/%2E%2E',
    '/image/v2/images%2F%2E%2E%2F%2E%2E', '/image/v2/images%3Flimit=1',
    '/image/v2/%252E%252E/'])
def test_dot_segments_and_hidden_queries_never_reach_glance(gateway, demo,
                                                            path):
    response = requests.get(
        gateway.url + path, timeout=30,
        headers={'X-Auth-Token': demo.session.get_token()})
    assert response.status_code == 404
    assert 'Traceback' not in response.text


def test_invalid_utf8_in_the_path_is_400(gateway, demo):
    response = requests.get(
        gateway.url + '/image/v2/images/%ff', timeout=30,
        headers={'X-Auth-Token': demo.session.get_token()})
    assert response.status_code == 400
