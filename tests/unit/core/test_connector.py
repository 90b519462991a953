"""Pod endpoints from the caller's catalog or overrides, and the one HTTP
session of pod calls."""

import hypothesis
import pytest
import requests
import webob
from hypothesis import strategies as st
from keystoneauth1 import fixture

from trio2o_core.context import RequestContext
from trio2o_core.plugin import CONTEXT_KEY
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import ServiceAPI
from trio2o_core.pods.caller import CorePodCaller
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.connector import encode_query
from trio2o_core.pods.fanout import Fanout
from trio2o_core.pods.health import PodHealth

POD1 = Pod('id-1', 'Pod1', 'az1', 'nova', None, True)
POD2 = Pod('id-2', 'Pod2', 'az2', 'nova', None, True)


def catalog_token() -> fixture.V3Token:
    token = fixture.V3Token(user_id='u1', project_id='p1')
    token.add_service('compute').add_standard_endpoints(
        public='http://pod1:8774/v2.1', internal='http://pod1.int:8774/v2.1',
        region='Pod1')
    token.add_service('volumev3').add_standard_endpoints(
        public='http://pod1:8776/v3', internal='http://pod1.int:8776/v3',
        region='Pod1')
    token.add_service('image').add_standard_endpoints(
        public='http://glance:9292', region='Pod1')
    token.add_service('compute').add_standard_endpoints(
        public='http://pod2:8774/v2.1', region='Pod2')
    token.add_service('compute').add_standard_endpoints(
        public='http://top:19996/compute/v2.1', region='RegionOne')
    return token


def context(token: str = 'token-a', catalog: bool = True) -> RequestContext:
    return RequestContext(user_id='u1', project_id='p1', auth_token=token,
                          token_info=catalog_token() if catalog else None)


def endpoints(connector: PodConnector, ctx: RequestContext,
              pod: Pod) -> tuple:
    return tuple(connector.endpoint(ctx, pod, service)
                 for service in ('compute', 'block_storage', 'image'))


def caller(connector: PodConnector, ctx: RequestContext) -> CorePodCaller:
    request = webob.Request.blank('/')
    request.environ[CONTEXT_KEY] = ctx
    return CorePodCaller(request, ServiceAPI(catalog_service='compute'),
                         connector, PodHealth(), Fanout(), 10.0)


def test_pod_calls_share_one_session_that_ignores_proxy_settings():
    connector = PodConnector(timeout=7.5)

    assert connector.http.trust_env is False
    assert connector.timeout == 7.5


def test_endpoints_come_from_the_callers_catalog():
    assert endpoints(PodConnector(), context(), POD1) == (
        'http://pod1:8774/v2.1', 'http://pod1:8776/v3', 'http://glance:9292')


def test_cached_endpoints_are_per_project():
    # catalogs that put the project in the URL: one project's cached
    # endpoint must never serve another project's call
    def project_context(project: str) -> RequestContext:
        token = fixture.V3Token(user_id='u1', project_id=project)
        token.add_service('volumev3').add_standard_endpoints(
            public=f'http://pod1:8776/v3/{project}', region='Pod1')
        return RequestContext(user_id='u1', project_id=project,
                              auth_token=f'token-{project}',
                              token_info=token)

    connector = PodConnector()
    first = connector.endpoint(project_context('p1'), POD1, 'block_storage')
    second = connector.endpoint(project_context('p2'), POD1,
                                'block_storage')

    assert (first, second) == ('http://pod1:8776/v3/p1',
                               'http://pod1:8776/v3/p2')


def test_only_the_pod_region_is_used():
    assert endpoints(PodConnector(), context(), POD2) == (
        'http://pod2:8774/v2.1', None, None)


def test_catalog_interface_is_configurable():
    connector = PodConnector(interface='internal')

    assert endpoints(connector, context(), POD1)[:2] == (
        'http://pod1.int:8774/v2.1', 'http://pod1.int:8776/v3')


def test_overrides_win_over_the_catalog():
    connector = PodConnector(overrides=PodConnector.parse_overrides({
        'Pod1.compute': 'http://10.0.0.9:8774/v2.1',
        'Pod1.volumev3': 'http://10.0.0.9:8776/v3',
        'Pod2.image': 'http://elsewhere:9292'}))

    assert endpoints(connector, context(), POD1) == (
        'http://10.0.0.9:8774/v2.1', 'http://10.0.0.9:8776/v3',
        'http://glance:9292')


def test_overrides_work_without_a_catalog():
    connector = PodConnector(overrides={('Pod2', 'compute'): 'http://x:1'})

    assert endpoints(connector, context(catalog=False), POD2) == (
        'http://x:1', None, None)


def test_parse_overrides_keeps_dots_in_region_names():
    assert PodConnector.parse_overrides({
        'Region.East.block-storage': 'http://b'}) == {
        ('Region.East', 'block-storage'): 'http://b'}


@pytest.mark.parametrize('key', ['compute', '.compute', 'Pod1.'])
def test_parse_overrides_refuses_malformed_keys(key):
    with pytest.raises(ValueError, match='<region>.<service type>'):
        PodConnector.parse_overrides({key: 'http://x'})


def test_pod_without_endpoints_is_unavailable():
    pod = Pod('id-3', 'Pod3', 'az3', None, None, True)

    with pytest.raises(PodUnavailable) as info:
        caller(PodConnector(), context()).call(pod, 'GET', '/servers')

    assert info.value.user_message == 'Pod Pod3 is unavailable.'
    assert info.value.code == 503


def test_no_catalog_and_no_override_is_unavailable():
    with pytest.raises(PodUnavailable, match='Pod1'):
        caller(PodConnector(), context(catalog=False)).call(
            POD1, 'GET', '/servers')


def test_volume_aliases_in_other_regions_do_not_break_lookup():
    # both names of the volume service exist, but only in the top region:
    # the pod simply has no block storage
    token = fixture.V3Token()
    token.add_service('compute').add_standard_endpoints(
        public='http://pod1:8774/v2.1', region='Pod1')
    for kind in ('volumev3', 'block-storage'):
        token.add_service(kind).add_standard_endpoints(
            public='http://top/volume/v3', region='RegionOne')
    ctx = RequestContext(user_id='u', project_id='p', auth_token='t',
                         token_info=token)
    connector = PodConnector()

    assert connector.endpoint(ctx, POD1, 'block_storage') is None
    assert connector.endpoint(ctx, POD1, 'compute') == (
        'http://pod1:8774/v2.1')


_TEXT = st.text(max_size=8)
_VALUE = st.one_of(st.none(), _TEXT, st.integers(), st.lists(_TEXT,
                                                               max_size=3))


@hypothesis.given(st.one_of(
    st.lists(st.tuples(_TEXT, st.one_of(st.none(), _TEXT)), max_size=5),
    st.dictionaries(_TEXT, _VALUE, max_size=5)))
def test_queries_are_written_as_requests_writes_them(params):
    assert encode_query(params) == (
        requests.models.RequestEncodingMixin._encode_params(params))
