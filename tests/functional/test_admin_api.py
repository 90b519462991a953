"""The admin API through the real paste pipeline, over HTTP.

The pipeline of ``etc/trio2o/api-paste.ini`` (noauth strategy, admin
service only) runs on a loopback port in a thread, in front of a private
SQLite database; ``trio2o-api`` and ``trio2o-manage`` run as the console
scripts an operator uses.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pathlib
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

import eventlet
import eventlet.hubs
import eventlet.wsgi
import pytest
import requests
from oslo_config import cfg
from paste import deploy

from trio2o_core import core_gateway
from trio2o_core import policies
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import migration
from trio2o_core.db import models

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASTE = ROOT / 'etc' / 'trio2o' / 'api-paste.ini'
BIN = pathlib.Path(sys.executable).parent
LIMIT = 4096
MAX_LIMIT = 3

ADMIN = {'X-User-Id': 'operator', 'X-Project-Id': 'admin-project',
         'X-Roles': 'admin'}
MEMBER = {'X-User-Id': 'alice', 'X-Project-Id': 'project-a',
          'X-Roles': 'member,reader'}

#: every admin route that needs a token: method, path, body, policy rule
PROTECTED = [
    ('GET', '/v1/pods', None, 'pods:list'),
    ('POST', '/v1/pods', {'pod': {'name': 'PodX', 'az_name': 'az1'}},
     'pods:create'),
    ('GET', '/v1/pods/some-id', None, 'pods:show'),
    ('PUT', '/v1/pods/some-id', {'pod': {'dc_name': 'dc'}}, 'pods:update'),
    ('DELETE', '/v1/pods/some-id', None, 'pods:delete'),
    ('GET', '/v1/bindings', None, 'bindings:list'),
    ('POST', '/v1/bindings', {'binding': {
        'project_id': 'p', 'az_name': 'az1', 'pod_id': 'some-id'}},
     'bindings:create'),
    ('GET', '/v1/bindings/some-id', None, 'bindings:show'),
    ('DELETE', '/v1/bindings/some-id', None, 'bindings:delete'),
    ('GET', '/v1/routings', None, 'routings:list'),
    ('GET', '/v1/routings/1', None, 'routings:show'),
]


class ThreadedServer:
    """An eventlet WSGI server on a loopback port, in its own thread."""

    def __init__(self, app: Any) -> None:
        self.sock = eventlet.listen(('127.0.0.1', 0))
        self.url = f'http://127.0.0.1:{self.sock.getsockname()[1]}'
        self._stop_read, self._stop_write = os.pipe()
        self._thread = threading.Thread(target=self._run, args=(app,),
                                        name='admin-api', daemon=True)
        self._thread.start()

    def _run(self, app: Any) -> None:
        server = eventlet.spawn(eventlet.wsgi.server, self.sock, app,
                                log=logging.getLogger('wsgi'),
                                log_output=False)
        eventlet.hubs.trampoline(self._stop_read, read=True)
        server.kill()

    def stop(self) -> None:
        os.write(self._stop_write, b'x')
        self._thread.join(30)
        os.close(self._stop_read)
        os.close(self._stop_write)
        assert not self._thread.is_alive(), 'the server did not stop'


def parsed(conf: cfg.ConfigOpts) -> bool:
    """Whether the command line and files were parsed into ``conf``."""
    try:
        conf.find_file('api-paste.ini')
    except cfg.NotInitializedError:
        return False
    return True


@contextlib.contextmanager
def configured(overrides: Sequence[tuple[str, Any, str | None]]
               ) -> Iterator[None]:
    """``CONF`` with ``overrides`` (name, value, group), and a fresh
    database engine, gateway and policy enforcer; all undone after."""
    for name, value, group in overrides:
        CONF.set_override(name, value, group=group)
    parse = not parsed(CONF)
    if parse:
        CONF([], project='trio2o', default_config_files=[])
    db.reset_engine()
    core_gateway.reset_gateway()
    policies.reset()
    try:
        yield
    finally:
        db.reset_engine()
        core_gateway.reset_gateway()
        policies.reset()
        for name, _, group in overrides:
            CONF.clear_override(name, group=group)
        if parse:
            CONF.clear()


@pytest.fixture(scope='module')
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The admin API's URL, on a freshly migrated database."""
    path = tmp_path_factory.mktemp('admin-api') / 'gateway.sqlite'
    overrides = [('auth_strategy', 'noauth', None),
                 ('enabled_services', ['admin'], None),
                 ('connection', f'sqlite:///{path}', 'database'),
                 ('max_request_body_size', LIMIT, 'api'),
                 ('max_limit', MAX_LIMIT, 'api')]
    with configured(overrides):
        migration.upgrade()
        server = ThreadedServer(deploy.loadapp(f'config:{PASTE}',
                                               name='trio2o'))
        try:
            yield server.url + '/admin'
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty the database after each test that used it."""
    yield
    if 'base_url' in request.fixturenames:
        with db.get_engine().begin() as connection:
            for table in reversed(models.Base.metadata.sorted_tables):
                connection.execute(table.delete())


class Client:
    """Calls the admin API as one identity."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers.update(headers)

    def __call__(self, method: str, path: str, body: Any = None,
                 **kwargs: Any) -> requests.Response:
        if body is not None:
            kwargs['json'] = body
        url = path if path.startswith('http') else self.base_url + path
        return self.http.request(method, url, timeout=30, **kwargs)

    def create_pod(self, name: str, az_name: str = 'az1',
                   **fields: Any) -> dict[str, Any]:
        response = self('POST', '/v1/pods', {'pod': {
            'name': name, 'az_name': az_name, **fields}})
        assert response.status_code == 201, response.text
        return response.json()['pod']


@pytest.fixture
def admin(base_url: str) -> Client:
    return Client(base_url, ADMIN)


@pytest.fixture
def member(base_url: str) -> Client:
    return Client(base_url, MEMBER)


@pytest.fixture
def anonymous(base_url: str) -> Client:
    return Client(base_url, {})


def fault(response: requests.Response, code: int) -> str:
    """Assert ``response`` is a Nova-style fault; return its message."""
    assert response.status_code == code, response.text
    assert response.headers['Content-Type'] == (
        'application/json; charset=UTF-8')
    [(name, inner)] = response.json().items()
    assert inner['code'] == code
    return inner['message']


def pod_rows() -> list[tuple[Any, ...]]:
    return [(p.id, p.name, p.az_name, p.pod_az_name, p.dc_name, p.enabled)
            for p in db.list_pods()]


# versions

def test_version_documents_need_no_identity(anonymous, base_url):
    versions = anonymous('GET', '')
    version = anonymous('GET', '/v1')

    link = {'rel': 'self', 'href': base_url + '/v1/'}
    assert versions.json() == {'versions': [
        {'id': 'v1', 'status': 'CURRENT', 'links': [link]}]}
    assert version.json() == {'version': {
        'id': 'v1', 'status': 'CURRENT', 'links': [link]}}
    assert versions.headers['x-openstack-request-id'].startswith('req-')


def test_unknown_mount_point_is_404(anonymous, base_url):
    response = anonymous('GET', base_url.replace('/admin', '/nothing'))

    assert response.status_code == 404


# pods

def test_pod_lifecycle(admin):
    created = admin.create_pod('Pod1', 'az1', pod_az_name='nova',
                               dc_name='dc1')

    assert created['name'] == 'Pod1'
    assert created['az_name'] == 'az1'
    assert created['pod_az_name'] == 'nova'
    assert created['dc_name'] == 'dc1'
    assert created['enabled'] is True
    assert (created['weight'], created['draining']) == (1, False)
    assert created['created_at'] and created['updated_at'] is None
    pod_url = f'/v1/pods/{created["id"]}'
    assert admin('GET', pod_url).json() == {'pod': {**created,
                                                    'holdings': {}}}
    assert admin('GET', '/v1/pods').json() == {'pods': [created]}

    updated = admin('PUT', pod_url, {'pod': {'enabled': False,
                                             'dc_name': None}})

    assert updated.status_code == 200
    assert updated.json()['pod'] == {**created, 'enabled': False,
                                     'dc_name': None,
                                     'updated_at': updated.json()['pod'][
                                         'updated_at']}
    assert updated.json()['pod']['updated_at'] is not None
    deleted = admin('DELETE', pod_url)
    assert deleted.status_code == 204
    assert deleted.content == b''
    assert fault(admin('GET', pod_url), 404) == (
        f'Pod {created["id"]} could not be found.')


def test_pod_weight_and_draining_and_holdings(admin):
    pod = admin.create_pod('Pod1', weight=4)
    pod_url = f'/v1/pods/{pod["id"]}'
    db.create_routing('s1', 'server', pod['id'], 'p1', status='active')

    drained = admin('PUT', pod_url, {'pod': {'draining': True,
                                             'weight': 0}})

    assert drained.status_code == 200, drained.text
    assert (drained.json()['pod']['draining'],
            drained.json()['pod']['weight']) == (True, 0)
    assert admin('GET', pod_url).json()['pod']['holdings'] == {
        'p1': {'server': 1}}
    assert fault(admin('PUT', pod_url, {'pod': {'weight': -1}}), 400)\
        .startswith("Invalid input for field/attribute weight.")
    assert admin('GET', pod_url).json()['pod']['weight'] == 0


def test_pods_are_listed_by_name_and_filtered(admin):
    admin.create_pod('PodB', 'az1')
    admin.create_pod('PodA', 'az2', enabled=False)
    admin.create_pod('PodC', 'az1')

    def names(query=''):
        return [p['name'] for p in admin('GET', '/v1/pods' + query).json()[
            'pods']]

    assert names() == ['PodA', 'PodB', 'PodC']
    assert names('?az_name=az1') == ['PodB', 'PodC']
    assert names('?enabled=false') == ['PodA']
    assert names('?enabled=True&az_name=az2') == []
    assert names('?enabled=no') == ['PodA']
    assert names('?enabled=Yes') == ['PodB', 'PodC']


@pytest.mark.parametrize('body, message', [
    ({'pod': {'name': 'Pod1'}},
     "Invalid input for field/attribute pod. Value: {'name': 'Pod1'}. "
     "'az_name' is a required property"),
    ({'pod': {'name': 'Pod1', 'az_name': 'az1', 'enabled': 'yes'}},
     "Invalid input for field/attribute enabled. Value: yes. 'yes' is not "
     "of type 'boolean'"),
    ({'pod': {'name': 'P' * 256, 'az_name': 'az1'}},
     f"Invalid input for field/attribute name. Value: {'P' * 256}. "
     f"'{'P' * 256}' is too long"),
    ({'pod': {'name': 'Pod1', 'az_name': 'az1', 'region': 'r'}},
     "Invalid input for field/attribute pod. Value: {'name': 'Pod1', "
     "'az_name': 'az1', 'region': 'r'}. Additional properties are not "
     "allowed ('region' was unexpected)"),
    ({'pod': {'name': ' Pod1', 'az_name': 'az1'}},
     "An invalid 'name' value was provided. The name must be: printable "
     'characters. Can not start or end with whitespace.'),
    ({'name': 'Pod1'}, "'pod' is a required property"),
])
def test_create_pod_bad_input_names_the_field(admin, body, message):
    assert fault(admin('POST', '/v1/pods', body), 400) == message
    assert pod_rows() == []


def test_update_pod_needs_a_field(admin):
    pod = admin.create_pod('Pod1')

    message = fault(admin('PUT', f'/v1/pods/{pod["id"]}', {'pod': {}}), 400)

    assert message == ('Invalid input for field/attribute pod. Value: {}. '
                       '{} should be non-empty')


def test_bad_query_names_the_parameter(admin):
    message = fault(admin('GET', '/v1/pods?enabled=maybe'), 400)

    assert message.startswith('Invalid input for query parameters enabled. '
                              'Value: maybe.')
    assert fault(admin('GET', '/v1/bindings?is_active=%C2%B2'),
                 400).startswith('Invalid input for query parameters '
                                 'is_active. ')
    assert fault(admin('GET', '/v1/pods?colour=red'), 400) == (
        "Additional properties are not allowed ('colour' was unexpected)")


@pytest.mark.parametrize('method, body', [
    ('GET', None), ('PUT', {'pod': {'dc_name': 'x'}}), ('DELETE', None)])
def test_unknown_pod_is_404(admin, method, body):
    assert fault(admin(method, '/v1/pods/no-such-pod', body), 404) == (
        'Pod no-such-pod could not be found.')


def test_duplicate_pod_name_is_409(admin):
    admin.create_pod('Pod1')

    message = fault(admin('POST', '/v1/pods', {'pod': {
        'name': 'Pod1', 'az_name': 'az2'}}), 409)

    assert message == 'Duplicate value of name in pods.'
    assert [row[1:3] for row in pod_rows()] == [('Pod1', 'az1')]


def test_rename_onto_another_pod_is_409_and_changes_nothing(admin):
    admin.create_pod('Pod1')
    pod2 = admin.create_pod('Pod2', dc_name='dc2')
    before = pod_rows()

    response = admin('PUT', f'/v1/pods/{pod2["id"]}', {'pod': {
        'name': 'Pod1', 'dc_name': 'elsewhere'}})

    assert fault(response, 409) == 'Duplicate value of name in pods.'
    assert pod_rows() == before


def test_pod_that_owns_resources_is_not_deleted(admin):
    pod = admin.create_pod('Pod1')
    binding = db.create_binding('project-a', 'az1', pod['id'])
    for top_id in ('server-1', 'volume-1'):
        db.create_routing(top_id, top_id.split('-')[0], pod['id'],
                          'project-a')

    message = fault(admin('DELETE', f'/v1/pods/{pod["id"]}'), 409)

    assert message == (f'Pod {pod["id"]} still owns 2 routed resources; '
                       'move or delete them first.')
    assert admin('GET', f'/v1/pods/{pod["id"]}').status_code == 200
    assert db.get_binding(binding.id).pod_id == pod['id']
    assert db.count_routings_by_pod(pod['id']) == 2


def test_deleting_a_pod_removes_its_bindings(admin):
    pod = admin.create_pod('Pod1')
    binding = admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': pod['id']}}
    ).json()['binding']

    assert admin('DELETE', f'/v1/pods/{pod["id"]}').status_code == 204

    assert fault(admin('GET', f'/v1/bindings/{binding["id"]}'), 404) == (
        f'Pod binding {binding["id"]} could not be found.')


# bindings

def test_binding_lifecycle(admin):
    pod = admin.create_pod('Pod1')

    response = admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': pod['id']}})

    assert response.status_code == 201
    binding = response.json()['binding']
    assert {k: binding[k] for k in ('project_id', 'az_name', 'pod_id',
                                    'is_active')} == {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': pod['id'],
        'is_active': True}
    assert binding['id'] and binding['created_at']
    url = f'/v1/bindings/{binding["id"]}'
    assert admin('GET', url).json() == {'binding': binding}
    assert admin('GET', '/v1/bindings').json() == {'bindings': [binding]}
    assert admin('DELETE', url).status_code == 204
    assert fault(admin('GET', url), 404) == (
        f'Pod binding {binding["id"]} could not be found.')
    assert fault(admin('DELETE', url), 404) == (
        f'Pod binding {binding["id"]} could not be found.')


def test_bindings_are_filtered(admin):
    pod1 = admin.create_pod('Pod1')
    pod2 = admin.create_pod('Pod2', 'az2')
    db.create_binding('project-a', 'az1', pod1['id'])
    db.create_binding('project-a', 'az2', pod2['id'], is_active=False)
    db.create_binding('project-b', 'az2', pod2['id'])

    def pairs(query):
        return [(b['project_id'], b['pod_id']) for b in admin(
            'GET', '/v1/bindings' + query).json()['bindings']]

    assert pairs('?project_id=project-a') == [('project-a', pod1['id']),
                                              ('project-a', pod2['id'])]
    assert pairs('?pod_id=' + pod2['id'] + '&is_active=true') == [
        ('project-b', pod2['id'])]
    assert pairs('?az_name=az2&is_active=0') == [('project-a', pod2['id'])]


def test_binding_to_an_unknown_pod_names_pod_id(admin):
    response = admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': 'nope'}})

    assert fault(response, 400) == (
        'Invalid input for field/attribute pod_id. Value: nope. No such '
        'pod.')
    assert db.list_bindings() == []


def test_second_active_binding_in_a_zone_is_409(admin):
    pod1 = admin.create_pod('Pod1')
    pod2 = admin.create_pod('Pod2')
    admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': pod1['id']}})

    response = admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'az_name': 'az1', 'pod_id': pod2['id']}})

    assert fault(response, 409) == ('Project project-a already has an '
                                    'active binding in availability zone '
                                    'az1.')
    assert [b.pod_id for b in db.list_bindings()] == [pod1['id']]


def test_binding_bad_input_names_the_field(admin):
    response = admin('POST', '/v1/bindings', {'binding': {
        'project_id': 'project-a', 'pod_id': 'p'}})

    assert fault(response, 400) == (
        "Invalid input for field/attribute binding. Value: {'project_id': "
        "'project-a', 'pod_id': 'p'}. 'az_name' is a required property")


# routings

@pytest.fixture
def routings(admin) -> list[int]:
    """Seven routings in two pods and two projects; their ids."""
    pod1 = admin.create_pod('Pod1')['id']
    pod2 = admin.create_pod('Pod2', 'az2')['id']
    rows = [db.create_routing(f'server-{n}', 'server',
                              pod1 if n % 2 else pod2,
                              'project-a' if n < 5 else 'project-b')
            for n in range(6)]
    rows.append(db.create_routing('volume-1', 'volume', pod1, 'project-a',
                                  bottom_id='bottom-v1', status='active'))
    return [row.id for row in rows]


def test_show_routing(admin, routings):
    pod1 = db.get_pod_by_name('Pod1').id

    body = admin('GET', f'/v1/routings/{routings[-1]}').json()

    assert body['routing'] == {
        'id': routings[-1], 'top_id': 'volume-1', 'resource_type': 'volume',
        'bottom_id': 'bottom-v1', 'pod_id': pod1, 'project_id': 'project-a',
        'pod_project_id': None, 'status': 'active',
        'created_at': body['routing']['created_at'],
        'updated_at': None}


@pytest.mark.parametrize('ident', ['999999', 'abc', '%C2%B2', '1' * 30])
def test_unknown_routing_is_404(admin, routings, ident):
    shown = urllib.parse.unquote(ident)
    assert fault(admin('GET', f'/v1/routings/{ident}'), 404) == (
        f'Resource routing {shown} could not be found.')


def follow(admin: Client, url: str) -> tuple[list[int], list[str]]:
    """Page through ``url``; return every id and every next href."""
    ids: list[int] = []
    hrefs: list[str] = []
    while url:
        body = admin('GET', url).json()
        ids += [r['id'] for r in body['routings']]
        links = body.get('routings_links', [])
        assert [link['rel'] for link in links] in ([], ['next'])
        url = links[0]['href'] if links else ''
        if url:
            hrefs.append(url)
    return ids, hrefs


def test_marker_pagination_visits_every_routing_once(admin, routings,
                                                     base_url):
    ids, hrefs = follow(admin, '/v1/routings?limit=2')

    assert ids == routings
    assert all(href.startswith(base_url + '/v1/routings?') for href in hrefs)
    assert hrefs[0] == (f'{base_url}/v1/routings?limit=2&marker='
                        f'{routings[1]}')


def test_pages_are_capped_at_max_limit(admin, routings):
    body = admin('GET', '/v1/routings?limit=100').json()

    assert [r['id'] for r in body['routings']] == routings[:MAX_LIMIT]
    assert 'routings_links' in body
    assert follow(admin, '/v1/routings')[0] == routings


def test_filters_are_kept_in_next_links(admin, routings):
    pod1 = db.get_pod_by_name('Pod1').id
    url = (f'/v1/routings?project_id=project-a&pod_id={pod1}'
           '&resource_type=server&limit=1')

    ids, hrefs = follow(admin, url)

    assert ids == [routings[1], routings[3]]
    assert all('project_id=project-a' in h and f'pod_id={pod1}' in h
               and 'resource_type=server' in h for h in hrefs)


def test_last_full_page_links_to_an_empty_page(admin, routings):
    body = admin('GET', f'/v1/routings?marker={routings[3]}').json()

    assert [r['id'] for r in body['routings']] == routings[4:]
    last = admin('GET', body['routings_links'][0]['href']).json()
    assert last == {'routings': []}


def test_unknown_marker_is_400(admin, routings):
    assert fault(admin('GET', '/v1/routings?marker=999999'), 400) == (
        'Marker 999999 could not be found.')


@pytest.mark.parametrize('query', [
    'limit=-1', 'limit=two', 'marker=x', 'limit=%C2%B2', 'marker=%C2%B2',
    'limit=%D9%A3', 'limit=' + '9' * 5000, 'marker=' + '9' * 5000,
    'limit=1&limit=%C2%B2'])
def test_bad_paging_parameters_are_400(admin, query):
    name = query.split('=')[0]

    assert fault(admin('GET', '/v1/routings?' + query), 400).startswith(
        f'Invalid input for query parameters {name}.')


# identity and policy

@pytest.mark.parametrize('method, path, body, rule', PROTECTED)
def test_no_identity_is_401(anonymous, method, path, body, rule):
    assert fault(anonymous(method, path, body), 401) == (
        'The request you have made requires authentication.')


@pytest.mark.parametrize('method, path, body, rule', PROTECTED)
def test_non_admin_is_403_by_policy(member, method, path, body, rule):
    assert fault(member(method, path, body), 403) == (
        f"Policy doesn't allow trio2o:admin:{rule} to be performed.")


def test_denied_create_writes_nothing(member):
    member('POST', '/v1/pods', {'pod': {'name': 'Pod1', 'az_name': 'az1'}})

    assert pod_rows() == []


# methods, media types, sizes

@pytest.mark.parametrize('method, path, allow', [
    ('PATCH', '/v1/pods', 'GET, POST'),
    ('POST', '/v1/pods/some-id', 'DELETE, GET, PUT'),
    ('PUT', '/v1/bindings/some-id', 'DELETE, GET'),
    ('DELETE', '/v1/routings', 'GET'),
    ('POST', '/v1/routings/1', 'GET'),
])
def test_other_method_is_405_with_allow(admin, method, path, allow):
    response = admin(method, path)

    assert fault(response, 405) == ('The method specified is not allowed '
                                    'for this resource.')
    assert response.headers['Allow'] == allow


def test_unknown_path_is_404(admin):
    assert fault(admin('GET', '/v1/nothing'), 404) == (
        'The resource could not be found.')


def test_malformed_json_is_400(admin):
    response = admin('POST', '/v1/pods', data=b'{"pod": {',
                     headers={'Content-Type': 'application/json'})

    assert fault(response, 400) == 'Malformed request body'


def test_wrong_content_type_is_415(admin):
    response = admin('POST', '/v1/pods',
                     data=b'<pod name="Pod1" az_name="az1"/>',
                     headers={'Content-Type': 'application/xml'})

    assert fault(response, 415) == 'Unsupported Content-Type'
    assert pod_rows() == []


def pod_body(size: int, name: str = 'Pod1') -> bytes:
    """A valid create-pod body of exactly ``size`` bytes."""
    body = json.dumps({'pod': {'name': name, 'az_name': 'az1'}})
    return (body + ' ' * (size - len(body))).encode()


def chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 1000):
        yield data[start:start + 1000]


def test_body_at_the_limit_is_accepted(admin):
    plain = admin('POST', '/v1/pods', data=pod_body(LIMIT, 'Pod1'),
                  headers={'Content-Type': 'application/json'})
    chunked = admin('POST', '/v1/pods', data=chunks(pod_body(LIMIT, 'Pod2')),
                    headers={'Content-Type': 'application/json'})

    assert plain.status_code == 201, plain.text
    assert chunked.status_code == 201, chunked.text
    assert [row[1] for row in pod_rows()] == ['Pod1', 'Pod2']


@pytest.mark.parametrize('chunked', [False, True],
                         ids=['content-length', 'chunked'])
def test_body_over_the_limit_is_413(admin, chunked):
    data = pod_body(LIMIT + 1)
    response = admin('POST', '/v1/pods',
                     data=chunks(data) if chunked else data,
                     headers={'Content-Type': 'application/json'})

    assert fault(response, 413).startswith('Request is too large.')
    assert response.headers['Retry-After'] == '0'
    assert response.json()['overLimit']['retryAfter'] == '0'
    assert pod_rows() == []


# console scripts

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def config_file(tmp_path: pathlib.Path) -> pathlib.Path:
    """A configuration for the console scripts: noauth, admin only."""
    path = tmp_path / 'trio2o.conf'
    path.write_text(
        '[DEFAULT]\n'
        'auth_strategy = noauth\n'
        'enabled_services = admin\n'
        f'state_path = {tmp_path / "state"}\n'
        '[api]\n'
        'bind_host = 127.0.0.1\n'
        f'bind_port = {free_port()}\n'
        f'paste_config = {PASTE}\n'
        '[database]\n'
        f'connection = sqlite:///{tmp_path / "gateway.sqlite"}\n')
    return path


def manage(config_file: pathlib.Path, *args: str
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / 'trio2o-manage'), '--config-file', str(config_file),
         *args], capture_output=True, text=True, timeout=120)


def manage_json(config_file: pathlib.Path, *args: str) -> Any:
    done = manage(config_file, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_manage_db_sync_and_version(config_file):
    before = manage(config_file, 'db', 'version')
    synced = manage(config_file, 'db', 'sync')
    after = manage(config_file, 'db', 'version')

    head = migration.head_version()
    assert (before.returncode, before.stdout) == (0, 'none\n')
    assert (synced.returncode, synced.stdout) == (0, f'{head}\n')
    assert (after.returncode, after.stdout) == (0, f'{head}\n')


def test_manage_pods(config_file):
    assert manage(config_file, 'db', 'sync').returncode == 0

    pod = manage_json(config_file, 'pod', 'create', '--name', 'Pod1',
                      '--az-name', 'az1', '--pod-az-name', 'nova')
    assert {k: pod[k] for k in ('name', 'az_name', 'pod_az_name',
                                'dc_name', 'enabled')} == {
        'name': 'Pod1', 'az_name': 'az1', 'pod_az_name': 'nova',
        'dc_name': None, 'enabled': True}
    assert manage_json(config_file, 'pod', 'list') == [pod]
    shown = {**pod, 'holdings': {}}
    assert manage_json(config_file, 'pod', 'show', 'Pod1') == shown
    assert manage_json(config_file, 'pod', 'show', pod['id']) == shown

    updated = manage_json(config_file, 'pod', 'update', 'Pod1',
                          '--dc-name', 'dc1', '--enabled', 'false')
    assert (updated['dc_name'], updated['enabled']) == ('dc1', False)

    duplicate = manage(config_file, 'pod', 'create', '--name', 'Pod1',
                       '--az-name', 'az2')
    assert duplicate.returncode == 1
    assert duplicate.stderr == (
        'trio2o-manage: a pod named Pod1 exists already\n')
    assert duplicate.stdout == ''

    deleted = manage(config_file, 'pod', 'delete', 'Pod1')
    assert (deleted.returncode, deleted.stdout) == (0, '')
    assert manage_json(config_file, 'pod', 'list') == []
    missing = manage(config_file, 'pod', 'show', 'Pod1')
    assert missing.returncode == 1
    assert missing.stderr == 'trio2o-manage: Pod Pod1 could not be found.\n'


def test_manage_plugins_list(config_file):
    done = manage(config_file, 'plugins', 'list')

    assert done.returncode == 0, done.stderr
    lines = set(done.stdout.splitlines())
    assert ('trio2o.api.services\tadmin\tenabled\t'
            'trio2o_core.admin.service:AdminService') in lines
    assert ('trio2o.scheduler.policies\tbinding\tenabled\t'
            'trio2o_plugins.scheduler.binding:BindingPolicy') in lines
    assert ('trio2o.scheduler.policies\tweighted\tdisabled\t'
            'trio2o_plugins.scheduler.weighted:WeightedPolicy') in lines
    assert ('active scheduling policy\tbinding\tBind a project to the pod '
            'of the zone with the fewest projects.') in lines
    assert any(line.startswith('trio2o.api.services\tnova\tdisabled\t')
               for line in lines)


def wait_for_line(process: subprocess.Popen[str], text: str,
                  timeout: float) -> str:
    """Read the process's stdout until a line contains ``text``.

    A reader thread does the blocking reads: waiting for the pipe to be
    readable would miss lines already in the file object's buffer.
    """
    seen: list[str] = []
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            seen.append(line)
            if text in line:
                found.put(line)
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        line = found.get(timeout=timeout)
    except queue.Empty:
        line = None
    if line is None:
        raise AssertionError(
            f'{text!r} not printed; stdout: {"".join(seen)}')
    return line


def test_trio2o_api_serves_and_stops_on_sigterm(config_file, tmp_path):
    assert manage(config_file, 'db', 'sync').returncode == 0
    manage_json(config_file, 'pod', 'create', '--name', 'Pod1',
                '--az-name', 'az1')
    with open(tmp_path / 'api.log', 'w') as log:
        process = subprocess.Popen(
            [str(BIN / 'trio2o-api'), '--config-file', str(config_file)],
            stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            line = wait_for_line(process, 'trio2o-api listening on', 120)
            url = line.split()[-1]
            versions = requests.get(url + '/admin', timeout=30)
            pods = requests.get(url + '/admin/v1/pods', headers=ADMIN,
                                timeout=30)

            process.send_signal(signal.SIGTERM)
            returncode = process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()

    assert versions.status_code == 200
    assert versions.json()['versions'][0]['id'] == 'v1'
    assert [p['name'] for p in pods.json()['pods']] == ['Pod1']
    assert returncode in (0, -signal.SIGTERM)
