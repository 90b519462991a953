"""The auth_token filter that remembers confirmed user tokens gives the
application and the client what keystonemiddleware's own gives them."""

import datetime
import json
from typing import Any

import pytest
import webob
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from keystoneauth1 import fixture
from keystonemiddleware import auth_token as ksm
from keystonemiddleware.auth_token import _exceptions as ksm_exceptions

from trio2o_core.api.middleware import auth_token

IDENTITY_HEADERS = ['X-Identity-Status', 'X-Service-Identity-Status',
                    'X-User-Id', 'X-User-Name', 'X-Project-Id', 'X-Roles',
                    'X-Service-Roles', 'X-Service-User-Id', 'X-Tenant-Id',
                    'X-Role', 'X-Is-Admin-Project', 'X-Domain-Id',
                    'X-Service-Catalog', 'OpenStack-System-Scope']
CONF = {'delay_auth_decision': 'true', 'service_type': 'compute',
        'www_authenticate_uri': 'http://keystone.example/v3'}


def token(user: str, expires_in: float = 86400, **extra: Any) -> dict:
    body = fixture.V3Token(
        user_id=user, project_id=f'project-{user}',
        expires=(datetime.datetime.now(datetime.UTC)
                 + datetime.timedelta(seconds=expires_in)))
    body.add_role(name='member')
    service = body.add_service('compute')
    service.add_standard_endpoints(public='http://nova.example/v2.1')
    body['token'].update(extra)
    return body


TOKENS = {
    'good': token('alice'),
    'other': token('bob'),
    'bound': token('carol', bind={'kerberos': 'carol'}),
    'ruled': token('dave', application_credential={
        'id': 'cred', 'access_rules': [
            {'service': 'compute', 'method': 'GET',
             'path': '/v2.1/servers/*'}]}),
}


class Counted:
    """Stands for Keystone: the token bodies above, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, token: str, **kwargs: Any) -> dict:
        self.calls += 1
        if token not in TOKENS:
            raise ksm_exceptions.InvalidToken('unknown')
        return TOKENS[token]


def seen_by_app(environ: dict, start_response: Any) -> Any:
    """Answers with the identity the application was given, through
    webob as the gateway's applications answer."""
    seen = {key: value for key, value in environ.items()
            if key.startswith('HTTP_') or key == 'keystone.token_info'}
    plugin = environ.get('keystone.token_auth')
    seen['plugin'] = plugin and (plugin.has_user_token,
                                 plugin.has_service_token,
                                 plugin.user and plugin.user.user_id)
    response = webob.Response(
        json.dumps(seen, default=str, sort_keys=True).encode(),
        status=environ.get('HTTP_X_WANT', '200 OK'),
        content_type='application/json',
        headers={'Location': '/v2.1/servers/s1'})
    return response(environ, start_response)


def filters(conf: dict | None = None) -> tuple[Any, Any, Counted]:
    keystone = Counted()
    plain = ksm.AuthProtocol(seen_by_app, {**CONF, **(conf or {})})
    remembering = auth_token.filter_factory({}, **CONF, **(conf or {}))(
        seen_by_app)
    plain.fetch_token = Counted()
    remembering.fetch_token = keystone
    return plain, remembering, keystone


def answer(app: Any, request: dict) -> tuple[int, list, bytes]:
    blank = webob.Request.blank(request['path'], method=request['method'],
                                headers=request['headers'],
                                environ=request['environ'])
    response = blank.get_response(app)
    return response.status_int, sorted(response.headerlist), response.body


REQUEST = st.fixed_dictionaries({
    'method': st.sampled_from(['GET', 'POST', 'HEAD', 'DELETE']),
    'path': st.sampled_from(['/v2.1/servers/s1', '/v2.1/flavors', '/']),
    'headers': st.fixed_dictionaries({}, optional={
        'X-Auth-Token': st.sampled_from([*TOKENS, 'revoked']),
        'X-Service-Token': st.sampled_from(['good', 'revoked']),
        'X-Want': st.sampled_from(['401 Unauthorized', '404 Not Found']),
        **{name: st.sampled_from(['spoofed', 'admin', 'Confirmed'])
           for name in IDENTITY_HEADERS}}),
    'environ': st.fixed_dictionaries({}, optional={
        'REMOTE_USER': st.just('carol'),
        'AUTH_TYPE': st.just('Negotiate')}),
})


@settings(max_examples=300, deadline=None)
@given(requests=st.lists(REQUEST, min_size=1, max_size=8))
def test_answers_and_identity_are_keystonemiddlewares(requests):
    plain, remembering, _ = filters()

    for request in requests:
        assert answer(remembering, request) == answer(plain, request)


def request_with(token: str, **headers: str) -> dict:
    return {'method': 'GET', 'path': '/v2.1/servers/s1',
            'headers': {'X-Auth-Token': token, **headers}, 'environ': {}}


def test_a_confirmed_token_is_validated_once():
    _, remembering, keystone = filters()

    for _ in range(3):
        status, _, body = answer(remembering, request_with('good'))
        assert status == 200
        assert json.loads(body)['HTTP_X_USER_ID'] == 'alice'

    assert keystone.calls == 1


def test_spoofed_identity_headers_are_stripped_on_a_remembered_token():
    _, remembering, _ = filters()
    answer(remembering, request_with('good'))

    _, _, body = answer(remembering, request_with(
        'good', **{'X-Roles': 'admin', 'X-Service-Roles': 'service',
                   'X-Service-Identity-Status': 'Confirmed'}))
    seen = json.loads(body)

    assert seen['HTTP_X_ROLES'] == 'member'
    assert 'HTTP_X_SERVICE_ROLES' not in seen
    assert 'HTTP_X_SERVICE_IDENTITY_STATUS' not in seen


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
@pytest.mark.parametrize('status', ['200 OK', '401 Unauthorized'])
def test_a_remembered_token_gets_keystonemiddlewares_answer(method, status):
    plain, remembering, keystone = filters()
    first = request_with('good')
    again = {**request_with('good', **{'X-Want': status}), 'method': method}

    answer(remembering, first)
    got = answer(remembering, again)

    assert keystone.calls == 1
    assert got == answer(plain, again)
    assert (('WWW-Authenticate', 'Keystone uri="http://keystone.example/v3"')
            in got[1]) == status.startswith('401')


@pytest.mark.parametrize('name', ['bound', 'ruled', 'revoked'])
def test_tokens_whose_validation_depends_on_the_request_are_not_kept(name):
    _, remembering, keystone = filters()

    answer(remembering, request_with(name))
    answer(remembering, request_with(name))

    assert keystone.calls == 2


def test_a_service_token_is_always_validated():
    _, remembering, keystone = filters()

    answer(remembering, request_with('good', **{'X-Service-Token': 'good'}))
    answer(remembering, request_with('good', **{'X-Service-Token': 'good'}))

    assert keystone.calls == 4


@pytest.mark.parametrize('cache_time, expires_in, later, calls', [
    (300, 86400, 299, 1),
    (300, 86400, 301, 2),
    (300, 60, 61, 2),
    (-1, 86400, 1, 2),
])
def test_kept_no_longer_than_the_cache_time_nor_the_token(
        monkeypatch, cache_time, expires_in, later, calls):
    monkeypatch.setitem(TOKENS, 'brief', token('erin', expires_in))
    _, remembering, keystone = filters({'token_cache_time': cache_time})
    clock = [1000.0]
    monkeypatch.setattr(auth_token.time, 'monotonic', lambda: clock[0])

    answer(remembering, request_with('brief'))
    clock[0] += later
    answer(remembering, request_with('brief'))

    assert keystone.calls == calls


def test_the_oldest_token_goes_when_the_memo_is_full(monkeypatch):
    monkeypatch.setattr(auth_token, 'MEMO_SIZE', 1)
    _, remembering, keystone = filters()

    for name in ('good', 'other', 'good'):
        answer(remembering, request_with(name))

    assert keystone.calls == 3
