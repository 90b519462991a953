"""Token exchange for k2k pods: keystoneauth's Keystone-to-Keystone flow
against Keystones faked at the HTTP level."""

from __future__ import annotations

import concurrent.futures
import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests_mock
import webob

from trio2o_core.context import RequestContext
from trio2o_core.plugin import CONTEXT_KEY
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin.types import Pod
from trio2o_core.pods.caller import CorePodCaller
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.fanout import Fanout
from trio2o_core.pods.federation import PodIdentityRefused
from trio2o_core.pods.federation import TokenExchange
from trio2o_core.pods.health import PodHealth

TOP = 'http://top.test/v3'
SP = 'http://pod2-keystone.test'
SP_V3 = SP + '/v3'
SP_ECP = SP + '/Shibboleth.sso/SAML2/ECP'
SP_AUTH = SP_V3 + '/OS-FEDERATION/identity_providers/top/protocols/saml2/auth'
POD = Pod(id='pod-2', name='Pod2', az_name='az2', pod_az_name=None,
          dc_name=None, enabled=True, identity='k2k',
          service_provider='pod2-sp')
POD_NOVA = 'http://pod2-nova.test/v2.1'


def _iso(seconds: float) -> str:
    return (datetime.datetime.now(datetime.UTC)
            + datetime.timedelta(seconds=seconds)).isoformat()


def token_info(expires_in: float = 3600) -> dict[str, Any]:
    """keystonemiddleware's validation answer of a caller's token."""
    return {'token': {
        'methods': ['password'], 'expires_at': _iso(expires_in),
        'user': {'id': 'u1', 'name': 'demo', 'domain': {'id': 'default'}},
        'project': {'id': 'top-demo', 'name': 'demo',
                    'domain': {'id': 'default'}},
        'roles': [{'id': 'r1', 'name': 'member'}], 'catalog': [],
        'service_providers': [{'id': 'pod2-sp', 'auth_url': SP_AUTH,
                               'sp_url': SP_ECP}]}}


def context(token: str = 'caller-token',
            expires_in: float = 3600) -> Any:
    return RequestContext(user_id='u1', auth_token=token,
                          project_id='top-demo', project_name='demo',
                          token_info=token_info(expires_in))


class FakeKeystones:
    """The top Keystone's ECP endpoint and the pod Keystone's federation
    flow, counting exchanges."""

    def __init__(self, mock: requests_mock.Mocker) -> None:
        self.mock = mock
        self.issued = 0
        self.projects = [{'id': 'pod-demo', 'name': 'demo', 'enabled': True}]
        self.pod_expires_in = 3600.0
        mock.get(TOP, json={'version': {
            'id': 'v3.14', 'status': 'stable',
            'links': [{'rel': 'self', 'href': TOP + '/'}]}})
        mock.post(TOP + '/auth/OS-FEDERATION/saml2/ecp',
                  text='<soap:Envelope>assertion</soap:Envelope>')
        self.ecp = mock.post(SP_ECP, status_code=302,
                             headers={'Location': SP_AUTH})
        self.auth = mock.get(SP_AUTH, status_code=201,
                             headers={'X-Subject-Token': 'unscoped'},
                             json=self._unscoped)
        mock.get(SP_V3 + '/auth/projects', json=self._projects)
        self.rescope = mock.post(SP_V3 + '/auth/tokens', status_code=201,
                                 json=self._scoped)

    def _unscoped(self, request: Any, context: Any) -> dict[str, Any]:
        return {'token': {'methods': ['saml2'], 'expires_at': _iso(3600),
                          'user': {'id': 'fed-u1', 'name': 'demo'}}}

    def _projects(self, request: Any, context: Any) -> dict[str, Any]:
        assert request.headers['X-Auth-Token'] == 'unscoped'
        return {'projects': self.projects}

    def _scoped(self, request: Any, context: Any) -> dict[str, Any]:
        self.issued += 1
        context.headers['X-Subject-Token'] = f'pod-token-{self.issued}'
        body = request.json()['auth']
        assert body['identity']['token']['id'] == 'unscoped'
        project = body['scope']['project']['id']
        return {'token': {
            'methods': ['token', 'saml2'],
            'expires_at': _iso(self.pod_expires_in),
            'project': {'id': project},
            'catalog': [{'type': 'compute', 'endpoints': [
                {'interface': 'public', 'region_id': 'RegionOne',
                 'url': POD_NOVA}]}]}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keystones() -> Iterator[FakeKeystones]:
    with requests_mock.Mocker() as mock:
        yield FakeKeystones(mock)


def exchange(clock: Clock | None = None, cache_time: float = 300,
             cache_size: int = 100) -> TokenExchange:
    return TokenExchange(TOP, cache_time=cache_time, cache_size=cache_size,
                         clock=clock or Clock())


def test_exchange_gives_a_pod_token_with_the_pod_s_catalog(keystones):
    found = exchange().token(context(), POD)

    assert (found.token, found.project_id) == ('pod-token-1', 'pod-demo')
    assert found.catalog[0]['endpoints'][0]['url'] == POD_NOVA
    # the caller's validated token asked for the assertion, for this SP
    ecp = [r for r in keystones.mock.request_history
           if r.url.endswith('/saml2/ecp')][0]
    assert ecp.json()['auth'] == {
        'identity': {'methods': ['token'],
                     'token': {'id': 'caller-token'}},
        'scope': {'service_provider': {'id': 'pod2-sp'}}}
    assert keystones.ecp.last_request.text.startswith('<soap:Envelope>')


def test_cached_per_caller_token_and_pod_until_cache_time(keystones):
    clock = Clock()
    tokens = exchange(clock, cache_time=300)

    first = tokens.token(context(), POD)
    assert tokens.token(context(), POD) == first
    assert keystones.issued == 1
    # another caller's token is exchanged on its own
    assert tokens.token(context('other-token'), POD).token == 'pod-token-2'
    clock.now += 301
    assert tokens.token(context(), POD).token == 'pod-token-3'


def test_cache_never_outlives_the_caller_s_token(keystones):
    clock = Clock()
    tokens = exchange(clock, cache_time=300)

    tokens.token(context(expires_in=100), POD)
    clock.now += 71  # 100 s left minus the 30 s margin
    assert tokens.token(context(expires_in=29), POD).token == 'pod-token-2'


def test_cache_never_outlives_the_pod_s_token(keystones):
    keystones.pod_expires_in = 60
    clock = Clock()
    tokens = exchange(clock, cache_time=300)

    tokens.token(context(), POD)
    clock.now += 31
    tokens.token(context(), POD)
    assert keystones.issued == 2


def test_cache_is_bounded_least_recently_used_first(keystones):
    tokens = exchange(cache_size=2)
    for name in ('a', 'b'):
        tokens.token(context(name), POD)
    tokens.token(context('a'), POD)      # a is now the most recent
    tokens.token(context('c'), POD)      # b goes
    issued = keystones.issued
    tokens.token(context('a'), POD)
    assert keystones.issued == issued
    tokens.token(context('b'), POD)
    assert keystones.issued == issued + 1


def test_forget_exchanges_again(keystones):
    tokens = exchange()
    tokens.token(context(), POD)
    tokens.forget(context(), POD)
    assert tokens.token(context(), POD).token == 'pod-token-2'


def test_project_of_the_caller_s_name_among_several(keystones):
    keystones.projects = [
        {'id': 'pod-other', 'name': 'other', 'enabled': True},
        {'id': 'pod-demo', 'name': 'demo', 'enabled': True}]

    assert exchange().token(context(), POD).project_id == 'pod-demo'


@pytest.mark.parametrize('projects, reason', [
    ([], 'gives the caller no project'),
    ([{'id': 'x', 'name': 'x'}, {'id': 'y', 'name': 'y'}],
     'several projects, none named demo')])
def test_mapping_without_one_project_is_403(keystones, projects, reason):
    keystones.projects = projects

    with pytest.raises(PodIdentityRefused, match=reason) as caught:
        exchange().token(context(), POD)
    assert caught.value.code == 403
    assert 'pod Pod2' in caught.value.user_message


@pytest.mark.parametrize('status', [401, 403])
def test_sp_refusing_the_assertion_is_the_sp_s_status(keystones, status):
    keystones.mock.post(SP_ECP, status_code=status,
                        json={'error': {'code': status}})

    with pytest.raises(PodIdentityRefused) as caught:
        exchange().token(context(), POD)
    assert caught.value.code == status
    assert keystones.issued == 0


def test_top_keystone_refusing_the_assertion_is_403(keystones):
    keystones.mock.post(TOP + '/auth/OS-FEDERATION/saml2/ecp',
                        status_code=400)

    with pytest.raises(PodIdentityRefused) as caught:
        exchange().token(context(), POD)
    assert caught.value.code == 403


def test_unknown_service_provider_is_403_and_calls_nothing(keystones):
    pod = Pod(**{**vars(POD), 'service_provider': 'nobody'})

    with pytest.raises(PodIdentityRefused, match='no service provider'):
        exchange().token(context(), pod)
    assert keystones.mock.call_count == 0


def test_pod_keystone_down_is_503_naming_the_pod(keystones):
    keystones.mock.post(SP_ECP, exc=requests.exceptions.ConnectionError)

    with pytest.raises(PodUnavailable) as caught:
        exchange().token(context(), POD)
    assert caught.value.user_message == 'Pod Pod2 is unavailable.'


def test_pod_keystone_failing_is_503(keystones):
    keystones.mock.get(SP_AUTH, status_code=500)

    with pytest.raises(PodUnavailable):
        exchange().token(context(), POD)


def test_no_caller_token_is_401(keystones):
    with pytest.raises(PodIdentityRefused) as caught:
        exchange().token(context(token=''), POD)
    assert caught.value.code == 401


# the pod caller's use of the exchange

class ViaSession(requests.adapters.BaseAdapter):
    """Hands pod calls to a plain session, which requests_mock answers
    (the connector sends through its adapter, not a session)."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        return requests.Session().send(request, **kwargs)

    def close(self) -> None:
        pass


def pod_caller(tokens: TokenExchange) -> Any:
    connector = PodConnector()
    connector.http.mount('http://', ViaSession())
    connector.federation = tokens
    request = webob.Request.blank('/')
    request.environ[CONTEXT_KEY] = context()
    return CorePodCaller(request, ServiceAPI(catalog_service='compute'),
                         connector, PodHealth(), Fanout(), 10.0)


SHARED = Pod(id='pod-1', name='Pod1', az_name='az1', pod_az_name=None,
             dc_name=None, enabled=True)


def test_k2k_pod_calls_carry_the_pod_token_to_the_pod_s_catalog(keystones):
    keystones.mock.get(POD_NOVA + '/servers', json={'servers': []})
    calls = pod_caller(exchange())

    assert calls.call(POD, 'GET', '/servers').json() == {'servers': []}
    sent = keystones.mock.last_request
    assert sent.headers['X-Auth-Token'] == 'pod-token-1'
    calls.call(POD, 'GET', '/servers')
    assert keystones.issued == 1


def test_shared_pods_get_the_caller_s_token(keystones):
    connector_url = 'http://pod1.test/v2.1'
    keystones.mock.get(connector_url + '/servers', json={'servers': []})
    calls = pod_caller(exchange())
    calls._connector.overrides[('Pod1', 'compute')] = connector_url

    calls.call(SHARED, 'GET', '/servers')
    assert keystones.mock.last_request.headers['X-Auth-Token'] == (
        'caller-token')
    assert keystones.issued == 0


def test_a_pod_refusing_a_cached_token_gets_a_new_one_once(keystones):
    seen = []

    def servers(request: Any, context: Any) -> dict[str, Any]:
        seen.append(request.headers['X-Auth-Token'])
        context.status_code = 401 if len(seen) == 1 else 200
        return {'servers': []}

    keystones.mock.post(POD_NOVA + '/servers', json=servers)
    calls = pod_caller(exchange())

    reply = calls.call(POD, 'POST', '/servers', json={'server': {}})
    assert reply.status_code == 200
    assert seen == ['pod-token-1', 'pod-token-2']


def test_a_refusing_pod_is_left_out_of_a_fan_out(keystones):
    keystones.mock.post(SP_ECP, status_code=401)
    calls = pod_caller(exchange())

    gathered = calls.gather([POD], lambda pod: calls.call(pod, 'GET', '/'))
    assert [pod.name for pod in gathered.missing] == ['Pod2']
    assert not calls._health.is_down(POD.id)



def test_the_pod_side_project_is_shown_as_the_caller_s(keystones):
    calls = pod_caller(exchange())
    body = {'server': {'tenant_id': 'pod-demo', 'links': [
        {'href': POD_NOVA + '/pod-demo/servers/s1'}]}}

    shown = calls.translate(POD, body)
    assert shown['server']['tenant_id'] == 'top-demo'
    assert 'pod-demo' not in str(shown)
    calls._connector.overrides[('Pod1', 'compute')] = 'http://pod1.test'
    assert calls.translate(SHARED, {'tenant_id': 'pod-demo'}) == {
        'tenant_id': 'pod-demo'}


def test_concurrent_first_calls_of_one_caller_exchange_once(keystones):
    tokens = exchange()
    slow = threading.Event()

    def projects(request: Any, context: Any) -> dict[str, Any]:
        slow.wait(0.3)  # the first exchange is still running meanwhile
        return {'projects': keystones.projects}

    keystones.mock.get(SP_V3 + '/auth/projects', json=projects)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: tokens.token(context(), POD),
                              range(4)))
    assert {f.token for f in found} == {'pod-token-1'}
    assert keystones.issued == 1
