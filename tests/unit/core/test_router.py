"""The service app built from a driver's route table."""

import io
import json

import pytest
import webob

from trio2o_core.api import faults
from trio2o_core.api.middleware import sizelimit
from trio2o_core.api.router import ServiceApp
from trio2o_core.context import RequestContext
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.request import MAX_JSON_DEPTH

MALFORMED = {'badRequest': {'code': 400, 'message': 'Malformed request body'}}


class Driver(ServiceDriver):
    """Echoes what it was called with."""

    prefix = 'test'

    def __init__(self, fault_style='nova'):
        super().__init__(gateway=None)
        self.fault_style = fault_style
        self.finished = []

    def routes(self):
        return [
            Route('/', {'GET': self.root}, public=True),
            Route('/things', {'GET': self.list, 'POST': self.create}),
            Route('/things/{thing_id}', {'GET': self.show,
                                         'PUT': self.create,
                                         'DELETE': self.show}),
            Route('/boom', {'GET': self.boom}),
        ]

    def root(self, request):
        return json_response({'root': request.script_name})

    def list(self, request):
        return json_response({'things': [], 'user': request.context.user_id})

    def show(self, request, thing_id):
        return json_response({'id': thing_id})

    def create(self, request, **params):
        return json_response({'body': request.json_object(), **params}, 201)

    def boom(self, request):
        raise RuntimeError('bug in a handler')

    def prepare(self, request):
        if request.headers.get('X-Refuse'):
            raise BadRequest('Refused by prepare.')

    def finish(self, request, response):
        self.finished.append(response.status_int)
        response.headers['X-Finished'] = 'yes'


def context() -> RequestContext:
    return RequestContext(user_id='u1', project_id='p1', roles=['member'])


def call(app, method, path, body=None, authenticated=True, **kwargs):
    request = webob.Request.blank(path, method=method, **kwargs)
    if authenticated:
        request.environ[CONTEXT_KEY] = context()
    if body is not None:
        request.body = body if isinstance(body, bytes) else json.dumps(
            body).encode()
    return request.get_response(app)


@pytest.fixture
def driver():
    return Driver()


@pytest.fixture
def app(driver):
    return ServiceApp(driver)


def test_dispatches_path_parameters(app):
    response = call(app, 'GET', '/things/abc-1')

    assert response.status_int == 200
    assert response.json_body == {'id': 'abc-1'}


def test_trailing_slash_matches(app):
    assert call(app, 'GET', '/things/').json_body['user'] == 'u1'


def test_trailing_slash_kept_for_a_driver_that_asks(driver):
    driver.keeps_trailing_slash = True
    app = ServiceApp(driver)

    assert call(app, 'GET', '/things/1').json_body == {'id': '1'}
    assert call(app, 'GET', '/things/1/').status_int == 404


def test_unknown_path_is_404(app, driver):
    response = call(app, 'GET', '/nothing/here')

    assert response.status_int == 404
    assert response.json_body == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}
    assert driver.finished == [404]


@pytest.mark.parametrize('method, path, allow', [
    ('DELETE', '/things', 'GET, POST'),
    ('PATCH', '/things/1', 'DELETE, GET, PUT'),
    ('POST', '/', 'GET'),
])
def test_other_method_is_405_with_allow(app, method, path, allow):
    response = call(app, method, path, body={})

    assert response.status_int == 405
    assert response.headers['Allow'] == allow
    assert response.json_body == {'badMethod': {
        'code': 405,
        'message': 'The method specified is not allowed for this '
                   'resource.'}}


def test_other_method_is_404_for_a_driver_routing_as_nova(driver):
    driver.other_method_status = 404
    app = ServiceApp(driver)

    response = call(app, 'DELETE', '/things')

    assert response.status_int == 404
    assert 'Allow' not in response.headers
    assert response.json_body == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}


def test_non_public_route_without_context_is_401(app):
    response = call(app, 'GET', '/things', authenticated=False)

    assert response.status_int == 401
    assert response.json_body == {'unauthorized': {
        'code': 401,
        'message': 'The request you have made requires authentication.'}}


def test_public_route_needs_no_context(app):
    response = call(app, 'GET', '/', authenticated=False,
                    environ={'SCRIPT_NAME': '/test'})

    assert response.json_body == {'root': '/test'}


def test_prepare_may_refuse(app, driver):
    response = call(app, 'GET', '/things/1', headers={'X-Refuse': '1'})

    assert response.status_int == 400
    assert response.json_body['badRequest']['message'] == (
        'Refused by prepare.')
    assert response.headers['X-Finished'] == 'yes'


def test_finish_sees_every_response(app, driver):
    call(app, 'GET', '/things/1')
    call(app, 'GET', '/nope')
    call(app, 'DELETE', '/things')

    assert driver.finished == [200, 404, 405]


def test_a_failing_finish_hook_does_not_break_the_response(driver):
    def broken(request, response):
        raise RuntimeError('hook bug')

    driver.finish = broken

    response = call(ServiceApp(driver), 'GET', '/things/1')

    assert response.json_body == {'id': '1'}


@pytest.mark.parametrize('style, message', [
    ('nova', faults.NOVA_UNEXPECTED),
    ('cinder', faults.CINDER_UNEXPECTED),
])
def test_faults_follow_the_driver_style(style, message):
    response = call(ServiceApp(Driver(fault_style=style)), 'GET', '/boom')

    assert response.json_body == {'computeFault': {'code': 500,
                                                   'message': message}}


def test_public_url_is_given_to_handlers(driver):
    from trio2o_core.plugin import links

    seen = []

    def root(request):
        seen.append(links.gateway_url(request))
        return json_response({})

    driver.root = root
    app = ServiceApp(driver, public_url='https://api.example.com/')

    call(app, 'GET', '/', environ={'SCRIPT_NAME': '/compute'})

    assert seen == ['https://api.example.com/compute']


class TestBody:
    """Request body rules of ``Request.json_object``."""

    def test_json_object_is_decoded(self, app):
        response = call(app, 'POST', '/things', {'thing': {'a': 1}},
                        content_type='application/json; charset=UTF-8')

        assert response.status_int == 201
        assert response.json_body == {'body': {'thing': {'a': 1}}}

    @pytest.mark.parametrize('content_type', [
        None, '', 'text/plain', 'application/vnd.openstack.compute+json',
        'APPLICATION/JSON'])
    def test_json_content_types(self, app, content_type):
        headers = {} if content_type is None else {
            'Content-Type': content_type}
        response = call(app, 'POST', '/things', {'a': 1}, headers=headers)

        assert response.status_int == 201

    @pytest.mark.parametrize('body', [
        b'{"a": ', b'{"a": 1}}', b'\xff\xfe{}', b'', b'[]', b'"text"',
        b'null', b'[' * 100_000, b'{"a": ' * 50_000,
        b'{"a": ' + b'[' * (MAX_JSON_DEPTH) + b']' * MAX_JSON_DEPTH + b'}',
        b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": "\\ud800"}',
        b'{"a": ' + b'9' * 5000 + b'}', b'{"a": "\xed\xa0\x80"}'])
    def test_malformed_body_is_400(self, app, body):
        response = call(app, 'POST', '/things', body,
                        content_type='application/json')

        assert response.status_int == 400
        assert response.json_body == MALFORMED

    def test_nesting_up_to_the_bound_is_read(self, app):
        inner = '[' * (MAX_JSON_DEPTH - 1) + ']' * (MAX_JSON_DEPTH - 1)
        body = '{"a": "[[[{{{", "b": ' + inner + ', "c": "\\ud83d\\ude00"}'
        response = call(app, 'POST', '/things', body.encode(),
                        content_type='application/json')

        assert response.status_int == 201
        assert response.json_body['body']['c'] == '\U0001f600'

    @pytest.mark.parametrize('content_type', [
        'application/xml', 'text/html', 'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x'])
    def test_other_content_type_is_415(self, app, content_type):
        response = call(app, 'PUT', '/things/1', {'a': 1},
                        headers={'Content-Type': content_type})

        assert response.status_int == 415
        assert response.json_body == {'badMediaType': {
            'code': 415, 'message': 'Unsupported Content-Type'}}


class TestSizeLimit:
    """``[api] max_request_body_size``, below ``faultwrap``."""

    LIMIT = 64

    @pytest.fixture
    def stack(self, app):
        return faults.FaultWrapper(sizelimit.SizeLimit(app, self.LIMIT))

    def body(self, size: int) -> bytes:
        padding = size - len(json.dumps({'x': ''}))
        return json.dumps({'x': 'y' * padding}).encode()

    def test_body_at_the_limit_passes(self, stack):
        response = call(stack, 'POST', '/things', self.body(self.LIMIT))

        assert response.status_int == 201

    def test_content_length_over_the_limit_is_413(self, stack):
        response = call(stack, 'POST', '/things', self.body(self.LIMIT + 1))

        assert response.status_int == 413
        assert response.headers['Retry-After'] == '0'
        assert response.json_body == {'overLimit': {
            'code': 413, 'message': 'Request is too large.',
            'retryAfter': '0'}}

    @pytest.fixture(params=[True, False], ids=['terminated', 'eventlet'])
    def terminated(self, request):
        """Whether the server sets ``wsgi.input_terminated``."""
        return request.param

    def chunked(self, stack, body: bytes, terminated: bool):
        request = webob.Request.blank('/things', method='POST')
        request.environ[CONTEXT_KEY] = context()
        request.environ['wsgi.input'] = io.BytesIO(body)
        if terminated:
            request.environ['wsgi.input_terminated'] = True
        request.environ.pop('CONTENT_LENGTH', None)
        request.headers['Transfer-Encoding'] = 'chunked'
        return request.get_response(stack)

    def test_chunked_body_at_the_limit_passes(self, stack, terminated):
        response = self.chunked(stack, self.body(self.LIMIT), terminated)

        assert response.status_int == 201
        assert response.json_body['body']['x'].startswith('yyy')

    def test_chunked_body_over_the_limit_is_413(self, stack, terminated):
        response = self.chunked(stack, self.body(self.LIMIT + 1),
                                terminated)

        assert response.status_int == 413
        fault = response.json_body['overLimit']
        assert fault['code'] == 413
        assert fault['message'].startswith('Request is too large.')
        assert fault['retryAfter'] == '0'
        assert response.headers['Retry-After'] == '0'

    def test_factory_reads_the_configuration(self, override):
        override('max_request_body_size', 5, group='api')

        limited = sizelimit.filter_factory({})(lambda e, s: [])

        assert limited.limit == 5
