"""Fuzzing every route the gateway serves, through the real pipeline.

The routes are read from the enabled service drivers' route tables, so a
new route is fuzzed with no change here. Each request goes through the
whole paste pipeline of ``etc/trio2o/api-paste.ini`` (``noauth``) with a
hostile path (percent-encodings, dot segments, NUL, huge ids), query
(huge and non-ASCII numbers, repeated keys, invalid UTF-8), headers
(microversion garbage, content types), body (wrong types, deep nesting,
huge numbers, invalid UTF-8, lone surrogates) and method.

Pods in this tier are registered but unreachable (their endpoints are a
closed loopback port), so no pod can answer anything. The property, for
every request:

- the status is below 500, except 501 (the gateway's documented "not
  implemented") and 503 whose message names an unavailable pod (the
  pod-caused answer of an unreachable pod); any other 5xx is one no pod
  sent, a bug;
- no body holds ``Traceback``, ``<class '`` or a Python exception class
  name (a word ending in ``Error`` or ``Exception``);
- a refused request (4xx/5xx) leaves the pods and routings tables
  unchanged (a binding may remain: scheduling records it before the pod
  call, and it holds no resource); an accepted one (only the admin API
  can write without a pod) never touches the routing table.

The budget is fixed (``derandomize``, ``max_examples`` per route, no
deadline) so a run is reproducible and short in CI.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import webob
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from paste import deploy

from tests.functional.test_admin_api import PASTE
from tests.functional.test_admin_api import configured
from trio2o_core import core_gateway
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import migration
from trio2o_core.db import models

EXAMPLES_PER_ROUTE = 25
SERVICES = ['nova', 'cinder', 'glance', 'admin']
SERVER_ID = '6f2c1d9e-7a4b-4c55-9a5e-0123456789ab'
_CLASS_NAME = re.compile(r'\b(Traceback|[A-Z]\w*(Error|Exception))\b'
                         r"|<class '")
_POD_UNAVAILABLE = re.compile(r'[Pp]od\b.*unavailable')
IDENTITIES = [
    {'X-Auth-Token': 'alice:project-a', 'X-Roles': 'member,reader'},
    {'X-Auth-Token': 'operator:admin-project',
     'X-Roles': 'admin,member,reader'},
    {'X-User-Id': 'bob', 'X-Project-Id': 'project-b'},
]


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def seed() -> None:
    """Reset the tables to two pods, a binding and one routed server."""
    with db.session_scope() as session:
        for model in (models.ResourceRouting, models.PodBinding,
                      models.Pod):
            session.execute(sa.delete(model))
    pod = db.create_pod('Pod1', 'az1', pod_id='pod-1')
    db.create_pod('Pod2', 'az2', pod_id='pod-2')
    db.create_binding('project-a', 'az1', pod.id)
    db.create_routing(SERVER_ID, 'server', pod.id, 'project-a',
                      bottom_id=SERVER_ID, status='active')


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the gateway's tables."""
    with db.session_scope() as session:
        return {model.__tablename__: sorted(
            tuple(row) for row in session.execute(
                sa.select(*model.__table__.columns)))
            for model in (models.Pod, models.PodBinding,
                          models.ResourceRouting)}


@pytest.fixture(scope='module')
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The paste app of every service, noauth, on a fresh SQLite
    database, with pods whose endpoints refuse connections."""
    path = tmp_path_factory.mktemp('fuzz') / 'gateway.sqlite'
    dead = f'http://127.0.0.1:{closed_port()}'
    overrides = [('auth_strategy', 'noauth', None),
                 ('enabled_services', SERVICES, None),
                 ('connection', f'sqlite:///{path}', 'database'),
                 ('endpoint_overrides', {
                     f'{pod}.{service}': f'{dead}/{pod}/{service}'
                     for pod in ('Pod1', 'Pod2')
                     for service in ('compute', 'volumev3',
                                     'block-storage', 'image')}, 'pods'),
                 ('timeout', 2.0, 'pods')]
    with configured(overrides):
        migration.upgrade()
        seed()
        yield deploy.loadapp(f'config:{PASTE}', name='trio2o')


def served_routes(service: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(mount prefix, path template, methods) of every route the
    service's driver serves."""
    driver = core_gateway.get_gateway().service(service)
    return [(f'/{driver.prefix}', route.path, tuple(sorted(route.methods)))
            for route in driver.routes()]


# strategies

_HOSTILE_SEGMENTS = [
    '..', '.', '%2E%2E', '%2e', '%252E%252E', '%2F..%2F..', '..%2F..',
    '%ff', '%C3', '%00', 'a%00b', '%0A', 'a%3Fx=1', 'a%23b', '%5C..',
    '9' * 5000, '%C2%B2', '%D9%A3', SERVER_ID, 'pod-1', '1', '0', '-1',
    'x' * 300, '%ED%A0%80', '%25ff', 'action', 'detail']
_segments = st.one_of(
    st.sampled_from(_HOSTILE_SEGMENTS),
    st.text(min_size=1, max_size=40).map(
        lambda text: urllib.parse.quote(text, safe='')))
_query_keys = st.sampled_from([
    'limit', 'marker', 'offset', 'sort_key', 'sort_dir', 'all_tenants',
    'enabled', 'is_active', 'name', 'status', 'changes-since', 'deleted',
    'project_id', 'pod_id', 'resource_type', 'az_name', 'x', '%ff',
    'limit%00'])
_query_values = st.one_of(
    st.sampled_from(['9' * 5000, '%C2%B2', '%D9%A3', '-1', '%ff', '%00',
                     'true', 'False', 'yes', '', '0', '1', '1e3',
                     '%ED%A0%80', SERVER_ID, 'created_at', 'desc',
                     'sideways', '2020-01-01T00:00:00Z', 'x' * 300]),
    st.text(max_size=20).map(lambda text: urllib.parse.quote(text)))
_queries = st.lists(st.tuples(_query_keys, _query_values),
                    max_size=4).map(
    lambda pairs: '&'.join(f'{k}={v}' for k, v in pairs))
_versions = st.one_of(
    st.none(),
    st.sampled_from([
        'compute 2.' + '9' * 5000, 'compute 2.1', 'compute latest',
        'compute 2.٣', 'compute ².1', 'compute 9.9', 'volume 3.' +
        '1' * 5000, 'volume 3.0', 'volume 3.99999999999', 'compute',
        'compute 2.1, compute 2.90', 'compute 2.1\x7f', '', ' ']),
    st.text(max_size=30).filter(
        lambda t: t.isprintable() and t.encode('utf-8') == t.encode(
            'latin-1', 'ignore')))
_content_types = st.sampled_from([
    None, 'application/json', 'text/plain', 'application/xml',
    'application/octet-stream', 'application/json; charset=latin-1',
    'multipart/form-data; boundary=x', 'application/openstack-images-v2.1'
    '-json-patch', 'garbage', ''])
_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(),
              st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=10)
_keys = st.sampled_from([
    'server', 'volume', 'pod', 'binding', 'os-start', 'reboot', 'resize',
    'os-stop', 'keypair', 'server_group', 'forceDelete', 'os-extend',
    'createImage', 'name', 'metadata'])
_bodies = st.one_of(
    st.none(),
    st.dictionaries(_keys, _json_values, max_size=2).map(
        lambda body: json.dumps(body).encode()),
    _json_values.map(lambda body: json.dumps(body).encode()),
    st.sampled_from([
        b'[' * 100_000, b'{"server": ' * 30_000, b'{"server": {"name": '
        + b'9' * 5000 + b'}}', b'{"pod": {"name": 1e999}}',
        b'{"server": {"name": "\\ud800"}}', b'\xff\xfe\xfd',
        b'{"os-stop": null}', b'{"reboot": {"type": "HARD"}}',
        b'{"pod": {"name": "P\\u0000", "az_name": "az9"}}', b'NaN',
        b'{"a": NaN}', b'{"server": "\xed\xa0\x80"}']),
    st.binary(max_size=64))
_methods = st.sampled_from(['GET', 'HEAD', 'POST', 'PUT', 'PATCH',
                            'DELETE', 'OPTIONS', 'TRACE', 'FOO'])


def raw_path(prefix: str, template: str, values: list[str]) -> str:
    """Fill the template's ``{...}`` placeholders with ``values``."""
    parts = re.split(r'\{[^}]*\}', template)
    path = parts[0]
    for value, part in zip(values, parts[1:], strict=True):
        path += value + part
    return prefix + path


def call(app: Any, method: str, path: str, query: str,
         headers: dict[str, str], body: bytes | None) -> webob.Response:
    """Send a request as a WSGI server would (decoded latin-1
    ``PATH_INFO``, raw query)."""
    request = webob.Request.blank('/')
    request.environ.update({
        'REQUEST_METHOD': method, 'QUERY_STRING': query,
        'PATH_INFO': urllib.parse.unquote(path, encoding='latin1'),
        'RAW_PATH_INFO': path})
    for name, value in headers.items():
        request.headers[name] = value
    if body is not None:
        request.body = body
    return request.get_response(app)


def check(response: webob.Response, before: dict, after: dict) -> None:
    """The property stated in the module docstring."""
    text = response.body.decode('utf-8', 'replace')
    status = response.status_int
    if status >= 500 and status != 501:
        assert status == 503 and _POD_UNAVAILABLE.search(text), (
            f'{status} no pod sent: {text[:500]}')
    leaked = _CLASS_NAME.search(text)
    assert not leaked, f'{leaked.group(0)} in {status} body: {text[:500]}'
    assert after['resource_routings'] == before['resource_routings'], (
        f'{status} changed the routing table')
    if status >= 400:
        assert after['pods'] == before['pods'], (
            f'refused with {status} but changed the pods')


def test_every_service_is_fuzzed(app):
    assert set(SERVICES) == set(CONF.enabled_services)
    assert all(served_routes(service) for service in SERVICES)


def fuzzer(app: Any, prefix: str, template: str,
           methods: tuple[str, ...]) -> Any:
    """The Hypothesis test of one route, with its fixed budget."""
    holes = len(re.findall(r'\{[^}]*\}', template))

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None,
              derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(method=st.one_of(st.sampled_from(methods), _methods),
           values=st.lists(_segments, min_size=holes, max_size=holes),
           query=_queries, version=_versions, content_type=_content_types,
           body=_bodies, identity=st.sampled_from(IDENTITIES + [{}]))
    def fuzz(method, values, query, version, content_type, body, identity):
        headers = dict(identity)
        if version is not None:
            headers['OpenStack-API-Version'] = version
            headers['X-OpenStack-Nova-API-Version'] = version
        if content_type is not None:
            headers['Content-Type'] = content_type
        before = snapshot()
        response = call(app, method, raw_path(prefix, template, values),
                        query, headers, body)
        after = snapshot()
        try:
            check(response, before, after)
        finally:
            if after != before:
                seed()

    return fuzz


@pytest.mark.parametrize('service', SERVICES)
def test_every_route_survives_hostile_requests(app, service):
    """Each served route of ``service`` gets its own fixed budget of
    hostile requests; the failures of every route are reported."""
    failures = []
    for prefix, template, methods in served_routes(service):
        try:
            fuzzer(app, prefix, template, methods)()
        except Exception as exc:
            failures.append(f'{prefix}{template}: {exc}'[:3000])
    assert not failures, '\n\n'.join(failures)


@pytest.mark.parametrize('path, header', [
    ('/compute/', 'compute 2.' + '9' * 5000),
    ('/compute/v2.1', 'compute 2.' + '9' * 5000),
    ('/compute/v2.1', 'compute ' + '9' * 5000 + '.1'),
    ('/compute/v2.1', 'compute 2.٣'),
    ('/volume/', 'volume 3.' + '9' * 5000),
    ('/volume/', 'volume 3.99999999999'),
])
def test_huge_microversions_on_version_documents(app, path, header):
    """Unauthenticated version documents answer a malformed or huge
    microversion with the API's own 400/406."""
    before = snapshot()
    response = call(app, 'GET', path, '', {
        'OpenStack-API-Version': header,
        'X-OpenStack-Nova-API-Version': header.split()[-1]}, None)

    assert response.status_int in (200, 300, 400, 406), response.text
    check(response, before, snapshot())
