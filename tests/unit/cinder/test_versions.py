"""Cinder's version documents and microversion headers at ``/volume``."""

from __future__ import annotations

import pytest
import webob

from trio2o_core.api.router import ServiceApp
from trio2o_core.context import RequestContext
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder.service import CinderService


def _app(cap: str | None = None) -> ServiceApp:
    gateway = FakeGateway(pods=0)
    gateway.conf.set_override('max_microversion', cap, group='cinder')
    return ServiceApp(CinderService(gateway))


def _get(app: ServiceApp, path: str, version: str | None = None,
         token: bool = True) -> webob.Response:
    request = webob.Request.blank('/volume' + path, base_url='http://gw')
    request.script_name, request.path_info = '/volume', path
    if version is not None:
        request.headers['OpenStack-API-Version'] = f'volume {version}'
    if token:
        request.environ[CONTEXT_KEY] = RequestContext(
            user_id='u', project_id='p', roles=['member'])
    return request.get_response(app)


def test_root_lists_v3_with_300_and_no_token():
    response = _get(_app(), '/', token=False)
    assert response.status_int == 300
    record = response.json['versions'][0]
    assert (record['id'], record['version'], record['min_version']) == (
        'v3.0', '3.71', '3.0')
    assert {'rel': 'self', 'href': 'http://gw/volume/v3/'} in record['links']
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'


def test_v3_needs_a_token():
    response = _get(_app(), '/v3', token=False)
    assert response.status_int == 401
    assert 'unauthorized' in response.json
    assert _get(_app(), '/v3').status_int == 200


def test_cap_lowers_the_advertised_maximum():
    record = _get(_app('3.60'), '/').json['versions'][0]
    assert record['version'] == '3.60'


@pytest.mark.parametrize('asked,status,header', [
    ('3.50', 200, 'volume 3.50'),
    ('latest', 200, 'volume 3.71'),
    ('3.99', 406, 'volume 3.99'),
    ('3.x', 400, None),
])
def test_microversion_negotiation(asked, status, header):
    response = _get(_app(), '/v3', version=asked)
    assert response.status_int == status
    assert response.headers.get('OpenStack-API-Version') == header
    if status == 406:
        assert response.json == {'computeFault': {
            'code': 406, 'message': 'Version 3.99 is not supported by the '
            'API. Minimum is 3.0 and maximum is 3.71.'}}
    if status == 400:
        assert response.json['badRequest']['message'] == (
            'API Version String 3.x is of invalid format. Must be of '
            'format MajorNum.MinorNum.')


@pytest.mark.parametrize('path', ['/v3', '/v3/'])
def test_the_version_document_with_or_without_a_slash(path):
    response = _get(_app(), path)
    assert response.status_int == 200
    assert response.json['versions'][0]['id'] == 'v3.0'


@pytest.mark.parametrize('method, path', [
    ('GET', '/v3/volumes/'), ('DELETE', '/v3/volumes/'),
    ('PUT', '/v3/p/volumes/'), ('GET', '/v3/p/types/'),
    ('DELETE', '/v3/volumes'), ('PUT', '/v3/p/snapshots'),
])
def test_a_trailing_slash_or_a_missing_method_is_cinders_404(method, path):
    request = webob.Request.blank('/volume' + path, base_url='http://gw',
                                  method=method)
    request.script_name, request.path_info = '/volume', path
    request.environ[CONTEXT_KEY] = RequestContext(
        user_id='u', project_id='p', roles=['member'])
    response = request.get_response(_app())
    assert response.status_int == 404
    assert response.json == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}
