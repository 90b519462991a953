"""Request URLs are checked once, before any routing."""

import urllib.parse

import pytest
import webob

from tests.unit.core.test_router import Driver
from tests.unit.core.test_router import context
from trio2o_core.api import paths
from trio2o_core.api.router import ServiceApp
from trio2o_core.plugin.request import CONTEXT_KEY


def wire(raw_path: str, query: str = '') -> dict:
    """The environ a WSGI server makes of a request line's path."""
    return {'PATH_INFO': urllib.parse.unquote(raw_path, encoding='latin1'),
            'QUERY_STRING': query}


def get(raw_path: str, query: str = '', style: str = 'nova'):
    request = webob.Request.blank('/')
    request.environ.update(wire(raw_path, query))
    request.environ[CONTEXT_KEY] = context()
    driver = Driver(style)
    return request.get_response(ServiceApp(driver)), driver


@pytest.mark.parametrize('raw', [
    '/things/abc-1', '/things/a.b', '/things/...', '/things/%C3%A9',
    '/things/a%25zz', '/things/100%25', '/'])
def test_ordinary_paths_pass(raw):
    paths.check(wire(raw, 'a=%C3%A9&b=%25'))


@pytest.mark.parametrize('raw', [
    '/things/..', '/things/.', '/things/%2E%2E', '/things/%2e',
    '/things/%252E%252E', '/things/a%2F..%2Fb', '/things/%2E%2E%2Fx',
    '/things/a%3Fb=1', '/things/a%23b', '/things/a%00', '/things/a%0A',
    '/things/a%5Cb', '/things/%25252E', '/things/%25253F',
    '/things/..%2F..%2Fother', '/things/%252F', '/things/%25ff'])
def test_escaping_segments_are_404(raw):
    with pytest.raises(webob.exc.HTTPNotFound):
        paths.check(wire(raw))


@pytest.mark.parametrize('raw, query', [
    ('/things/%ff', ''), ('/things/%C3', ''), ('/things/1', 'a=%ff'),
    ('/things/1', '%ff=1'), ('/things/1', 'marker=%ED%A0%80')])
def test_invalid_utf8_is_400(raw, query):
    with pytest.raises(webob.exc.HTTPBadRequest):
        paths.check(wire(raw, query))


@pytest.mark.parametrize('raw', ['/things/%2E%2E', '/things/%ff',
                                 '/things/a%3Fx=1'])
def test_the_service_app_refuses_before_routing(raw):
    response, driver = get(raw)

    assert response.status_int in (400, 404)
    name = 'itemNotFound' if response.status_int == 404 else 'badRequest'
    assert set(response.json_body) == {name}
    assert driver.finished == [response.status_int]


def test_invalid_query_is_a_fault_in_the_service_style():
    response, _ = get('/things', 'limit=%ff')

    assert response.status_int == 400
    assert response.json_body == {'badRequest': {
        'code': 400, 'message': 'The request URL is not valid UTF-8.'}}
