"""The exception -> fault table of ``api/faults.py``, row by row."""

import logging

import pytest
import webob
import webob.exc

from trio2o_core.api import faults
from trio2o_core.db import exceptions as db_exc
from trio2o_core.plugin import exceptions as plugin_exc

NOVA_500 = 'Unexpected API Error. Please contact the administrator'
CINDER_500 = ('The server has either erred or is incapable of performing '
              'the requested operation.')


def rendered(exc: BaseException, style: str = 'nova') -> webob.Response:
    return faults.render(faults.fault_for(exc, style), style)


@pytest.mark.parametrize('exc, code, name, message', [
    (plugin_exc.BadRequest('bad'), 400, 'badRequest', 'bad'),
    (plugin_exc.NoValidPod('no pod'), 400, 'badRequest', 'no pod'),
    (plugin_exc.Forbidden('no'), 403, 'forbidden', 'no'),
    (plugin_exc.NotFound('gone'), 404, 'itemNotFound', 'gone'),
    (plugin_exc.Conflict('busy'), 409, 'conflictingRequest', 'busy'),
    (plugin_exc.NotAcceptable('2.999'), 406, 'computeFault', '2.999'),
    (plugin_exc.UnsupportedMediaType('Unsupported Content-Type'), 415,
     'badMediaType', 'Unsupported Content-Type'),
    (plugin_exc.NotSupported('later'), 501, 'notImplemented', 'later'),
    (plugin_exc.PodUnavailable('Pod2'), 503, 'serviceUnavailable',
     'Pod Pod2 is unavailable.'),
])
def test_plugin_exceptions(exc, code, name, message):
    response = rendered(exc)

    assert response.status_int == code
    assert response.content_type == 'application/json'
    assert response.charset == 'UTF-8'
    assert response.json_body == {name: {'code': code, 'message': message}}


def test_operator_message_is_logged_never_sent(caplog):
    exc = plugin_exc.Conflict('Server is busy.', 'pod2 db row 17 locked')

    with caplog.at_level(logging.INFO, logger=faults.__name__):
        response = rendered(exc)

    assert 'pod2 db row 17 locked' not in response.text
    assert response.json_body['conflictingRequest']['message'] == (
        'Server is busy.')
    assert 'pod2 db row 17 locked' in caplog.text


@pytest.mark.parametrize('exc, code, name, message', [
    (webob.exc.HTTPNotFound(), 404, 'itemNotFound',
     'The resource could not be found.'),
    (webob.exc.HTTPBadRequest(), 400, 'badRequest',
     'The server could not comply with the request since it is either '
     'malformed or otherwise incorrect.'),
    (webob.exc.HTTPForbidden(), 403, 'forbidden',
     'Access was denied to this resource.'),
    (webob.exc.HTTPGone(), 410, 'computeFault',
     'This resource is no longer available. No forwarding address is '
     'given.'),
    (webob.exc.HTTPConflict(detail='In use.'), 409, 'conflictingRequest',
     'In use.'),
    (webob.exc.HTTPUnauthorized(detail='Who are you?'), 401,
     'unauthorized', 'Who are you?'),
])
def test_webob_exceptions(exc, code, name, message):
    response = rendered(exc)

    assert response.status_int == code
    assert response.json_body == {name: {'code': code, 'message': message}}


def test_webob_405_keeps_allow():
    exc = webob.exc.HTTPMethodNotAllowed(detail='No.',
                                         headers={'Allow': 'GET, PUT'})

    response = rendered(exc)

    assert response.status_int == 405
    assert response.headers['Allow'] == 'GET, PUT'
    assert response.json_body == {'badMethod': {'code': 405,
                                                'message': 'No.'}}


@pytest.mark.parametrize('code', [413, 429])
def test_over_limit_carries_retry_after(code):
    exc = webob.exc.status_map[code](detail='Slow down.',
                                     headers={'Retry-After': '30'})

    response = rendered(exc)

    assert response.status_int == code
    assert response.headers['Retry-After'] == '30'
    assert response.json_body == {'overLimit': {
        'code': code, 'message': 'Slow down.', 'retryAfter': '30'}}


def test_over_limit_without_retry_after_says_zero():
    response = rendered(webob.exc.HTTPRequestEntityTooLarge(detail='Big.'))

    assert response.headers['Retry-After'] == '0'
    assert response.json_body['overLimit']['retryAfter'] == '0'


@pytest.mark.parametrize('style, message', [
    ('nova', NOVA_500),
    ('cinder', CINDER_500)])
def test_pod_failed_is_the_style_s_generic_500(style, message):
    response = rendered(plugin_exc.PodFailed('Pod1', 502), style)

    assert response.status_int == 500
    assert response.json_body == {'computeFault': {'code': 500,
                                                   'message': message}}
    assert 'Pod1' not in response.text
    assert 'PodFailed' not in response.text


@pytest.mark.parametrize('exc, code, name', [
    (db_exc.MarkerNotFound(7), 400, 'badRequest'),
    (db_exc.InvalidValue('name', 'too long'), 400, 'badRequest'),
    (db_exc.InvalidReference(['pod_id']), 400, 'badRequest'),
    (db_exc.NotFound('Pod', 'p1'), 404, 'itemNotFound'),
    (db_exc.PodInUse('p1', 3), 409, 'conflictingRequest'),
    (db_exc.Duplicate(['name'], 'pods'), 409, 'conflictingRequest'),
])
def test_db_exceptions(exc, code, name):
    response = rendered(exc)

    assert response.status_int == code
    assert response.json_body == {name: {'code': code, 'message': str(exc)}}


@pytest.mark.parametrize('exc', [
    db_exc.DBConnectionError(
        'connection to server at "db.internal" (10.0.0.5), port 5432 '
        'failed: FATAL: password authentication failed for user "trio2o"'),
    db_exc.TransientError('QueuePool limit of size 5 overflow 10 reached'),
])
@pytest.mark.parametrize('style', ['nova', 'cinder', 'passthrough'])
def test_db_errors_with_driver_text_are_generic(exc, style, caplog):
    with caplog.at_level(logging.WARNING, logger=faults.__name__):
        response = rendered(exc, style)

    assert response.status_int == 503
    request = webob.Request.blank('/', accept='application/json')
    text = request.get_response(response).text
    assert faults.DB_UNAVAILABLE in text
    for secret in ('db.internal', '10.0.0.5', 'trio2o', 'QueuePool'):
        assert secret not in text
    assert str(exc) in caplog.text


@pytest.mark.parametrize('exc', [
    db_exc.DBError('syntax error near SELEKT'),
    KeyError('boom'),
])
def test_unexpected_is_500_naming_nothing_of_it(exc, caplog):
    with caplog.at_level(logging.ERROR, logger=faults.__name__):
        response = rendered(exc)

    assert response.status_int == 500
    assert response.json_body == {'computeFault': {
        'code': 500, 'message': NOVA_500}}
    assert type(exc).__name__ not in response.text
    assert 'unexpected error' in caplog.text
    assert caplog.records[-1].exc_info[1] is exc


def test_unexpected_in_cinder_style():
    response = rendered(RuntimeError('x'), 'cinder')

    assert response.json_body == {'computeFault': {'code': 500,
                                                   'message': CINDER_500}}


def test_cinder_style_uses_the_same_fault_names():
    response = rendered(plugin_exc.NotFound('Volume v could not be found.'),
                        'cinder')

    assert response.json_body == {'itemNotFound': {
        'code': 404, 'message': 'Volume v could not be found.'}}


@pytest.mark.parametrize('exc, code, text', [
    (plugin_exc.NotFound('Image i could not be found.'), 404,
     'Image i could not be found.'),
    (plugin_exc.Conflict('Image is active.'), 409, 'Image is active.'),
    (RuntimeError('x'), 500, NOVA_500),
])
def test_passthrough_style_is_a_plain_webob_error(exc, code, text):
    response = rendered(exc, 'passthrough')

    assert isinstance(response, webob.exc.HTTPException)
    request = webob.Request.blank('/', accept='application/json')
    answer = request.get_response(response)
    assert answer.status_int == code
    assert text in answer.json_body['message']
    assert 'itemNotFound' not in answer.text


def test_passthrough_style_keeps_retry_after():
    exc = webob.exc.HTTPTooManyRequests(headers={'Retry-After': '9'})

    response = rendered(exc, 'passthrough')

    assert response.status_int == 429
    assert response.headers['Retry-After'] == '9'


class TestFaultWrapper:
    """The ``faultwrap`` paste filter."""

    def app(self, exc: BaseException):
        def raising(environ, start_response):
            raise exc
        return raising

    @pytest.mark.parametrize('style, name', [('nova', 'itemNotFound'),
                                             ('cinder', 'itemNotFound')])
    def test_turns_an_exception_below_into_a_fault(self, style, name):
        wrapper = faults.FaultWrapper.factory({}, style=style)(
            self.app(plugin_exc.NotFound('No such thing.')))

        response = webob.Request.blank('/x').get_response(wrapper)

        assert response.status_int == 404
        assert response.json_body == {name: {'code': 404,
                                             'message': 'No such thing.'}}

    def test_default_style_is_nova(self):
        wrapper = faults.FaultWrapper.factory({})(self.app(KeyError('k')))

        response = webob.Request.blank('/x').get_response(wrapper)

        assert response.json_body['computeFault']['message'].startswith(
            NOVA_500)

    def test_passes_responses_through(self):
        ok = webob.Response(json_body={'ok': True}, status=202)
        wrapper = faults.FaultWrapper(ok)

        response = webob.Request.blank('/x').get_response(wrapper)

        assert response.status_int == 202
        assert response.json_body == {'ok': True}

