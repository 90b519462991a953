"""The routing reconciler against fake pods: Keystone and each pod's
compute API answered by requests-mock, the gateway database a private
SQLite file."""

from __future__ import annotations

import datetime
import logging
import pathlib
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from unittest.mock import ANY

import pytest
import requests
import requests_mock
import sqlalchemy as sa
from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import loading

from tests.unit.core.conftest import Override
from trio2o_core import reconcile
from trio2o_core import reconcile_access
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import utcnow
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import ResourceState
from trio2o_core.reconcile_report import Action
from trio2o_core.reconcile_report import Summary
from trio2o_plugins.nova import settle

SERVER = settle.ServerReconciler.resource_type
SERVER_REQUEST = f'{SERVER}_request'

KEYSTONE = 'http://keystone.test/v3'
POD_URLS = {'Pod1': 'http://pod1.test:8774/v2.1',
            'Pod2': 'http://pod2.test:8774/v2.1'}
OLD = 3600.0
BIN = pathlib.Path(sys.executable).parent


class FakePod:
    """A pod's compute API: ``GET /servers/detail`` (all projects,
    paged by ``limit`` and ``marker``) and ``GET /servers/{id}``.

    ``down`` refuses connections; ``status`` answers every call with that
    HTTP status; ``on_list`` runs before each listing is answered.
    """

    def __init__(self, mocker: requests_mock.Mocker, url: str) -> None:
        self.url = url
        self.servers: dict[str, dict[str, Any]] = {}
        self.paths: list[str] = []
        self.down = False
        self.status: int | None = None
        self.on_list: Callable[[], None] = lambda: None
        mocker.get(re.compile(re.escape(url) + '/servers/'),
                   json=self._answer)

    def add(self, project: str = 'p1', age: float = OLD,
            **fields: Any) -> str:
        """Make a server ``age`` seconds old; return its id."""
        created = utcnow() - datetime.timedelta(seconds=age)
        server = {'id': str(uuid.uuid4()), 'tenant_id': project,
                  'status': 'ACTIVE', 'OS-EXT-STS:vm_state': 'active',
                  'OS-EXT-STS:task_state': None,
                  'created': created.strftime('%Y-%m-%dT%H:%M:%SZ')}
        server.update(fields)
        self.servers[server['id']] = server
        return server['id']

    def _answer(self, request: Any, context: Any) -> Any:
        if self.down:
            raise requests.exceptions.ConnectionError('connection refused')
        path = request.path.removeprefix('/v2.1')
        self.paths.append(path)
        if self.status is not None:
            context.status_code = self.status
            return {'computeFault': {'code': self.status}}
        if path == '/servers/detail':
            return self._page(request.qs)
        server = self.servers.get(path.removeprefix('/servers/'))
        if server is None:
            context.status_code = 404
            return {'itemNotFound': {'code': 404, 'message': 'gone'}}
        return {'server': server}

    def _page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        self.on_list()
        assert query['all_tenants'] == ['1']
        listed = [s for s in self.servers.values()
                  if s['status'] != 'DELETED']
        ids = [s['id'] for s in listed]
        start = ids.index(query['marker'][0]) + 1 if 'marker' in query else 0
        limit = int(query['limit'][0])
        body: dict[str, Any] = {'servers': listed[start:start + limit]}
        if start + limit < len(listed):
            body['servers_links'] = [{'rel': 'next', 'href': 'next-page'}]
        return body


@pytest.fixture
def service_conf(override: Override) -> None:
    """The service user's credentials in ``[keystone_authtoken]``."""
    loading.register_auth_conf_options(CONF, reconcile_access.GROUP)
    CONF.register_opts(loading.get_auth_plugin_conf_options('password'),
                       group=reconcile_access.GROUP)
    for name, value in (('auth_type', 'password'), ('auth_url', KEYSTONE),
                        ('username', 'trio2o'), ('password', 'secret'),
                        ('project_name', 'service'),
                        ('user_domain_id', 'default'),
                        ('project_domain_id', 'default')):
        override(name, value, group=reconcile_access.GROUP)


@pytest.fixture
def mocker() -> Iterator[requests_mock.Mocker]:
    """Keystone answering the service user with a catalog naming both
    pods' compute endpoints."""
    token = ks_fixture.V3Token(user_id='trio2o', project_id='service')
    compute = token.add_service('compute')
    for region, url in POD_URLS.items():
        compute.add_endpoint('public', url, region=region)
    with requests_mock.Mocker(case_sensitive=True) as mock:
        mock.get(KEYSTONE, json={'version': ks_fixture.V3Discovery(
            KEYSTONE)})
        mock.post(KEYSTONE + '/auth/tokens', json=token, status_code=201,
                  headers={'X-Subject-Token': 'service-token'})
        yield mock


@pytest.fixture
def pods(sqlite_db: str, service_conf: None,
         mocker: requests_mock.Mocker) -> dict[str, tuple[str, FakePod]]:
    """Pod1 and Pod2, registered and enabled: name -> (id, fake pod)."""
    return {name: (db.create_pod(name, f'az{index}').id,
                   FakePod(mocker, url))
            for index, (name, url) in enumerate(POD_URLS.items(), 1)}


def row(pod_id: str, top_id: str, status: str, *, age: float = OLD,
        changed: float | None = None, project: str = 'p1',
        resource_type: str = SERVER) -> int:
    """Write a routing made ``age`` seconds ago and last changed
    ``changed`` seconds ago (never, if None); return its id."""
    routing = db.create_routing(top_id, resource_type, pod_id, project,
                                status=status)
    now = utcnow()
    table = ResourceRouting.__table__
    with db.session_scope() as session:
        session.execute(sa.update(table).where(
            table.c.id == routing.id).values(
            created_at=now - datetime.timedelta(seconds=age),
            updated_at=(None if changed is None else
                        now - datetime.timedelta(seconds=changed))))
    return routing.id


def request_row(pod_id: str, *, age: float = OLD,
                project: str = 'p1') -> int:
    return row(pod_id, str(uuid.uuid4()), 'creating', age=age,
               project=project, resource_type=SERVER_REQUEST)


def status(routing_id: int) -> str | None:
    """The routing's status, None once it is removed."""
    try:
        return db.get_routing(routing_id).status
    except db_exc.NotFound:
        return None


def run(**kwargs: Any) -> Summary:
    return reconcile.reconcile(reconcile_access.service_session(CONF),
                               **kwargs)


def actions(summary: Summary, pod: str = 'Pod1'
            ) -> list[tuple[Action, str]]:
    return [(change.action, change.top_id)
            for change in summary.pods[pod].changes]


# creating rows

def test_creating_row_of_an_existing_server_becomes_active(pods):
    pod_id, pod = pods['Pod1']
    server = pod.add()
    routing = row(pod_id, server, 'creating')

    summary = run()

    assert actions(summary) == [(Action.ACTIVATED, server)]
    assert status(routing) == 'active'
    assert db.get_routing(routing).updated_at is not None


def test_creating_row_of_a_missing_server_is_removed(pods):
    pod_id, pod = pods['Pod1']
    missing = str(uuid.uuid4())
    routing = row(pod_id, missing, 'creating')

    summary = run()

    assert actions(summary) == [(Action.REMOVED_CREATING, missing)]
    assert status(routing) is None
    assert f'/servers/{missing}' in pod.paths


# deleting rows

def test_deleting_row_of_a_gone_server_is_removed(pods):
    pod_id, pod = pods['Pod1']
    gone = str(uuid.uuid4())
    deleted = pod.add(status='DELETED', **{'OS-EXT-STS:vm_state': 'deleted'})
    routings = [row(pod_id, gone, 'deleting'),
                row(pod_id, deleted, 'deleting')]

    summary = run(reconcilers=[settle.ServerReconciler(retention=0)])

    assert actions(summary) == [(Action.REMOVED_DELETED, gone),
                                (Action.REMOVED_DELETED, deleted)]
    assert [status(r) for r in routings] == [None, None]


def test_deleting_row_of_a_gone_server_is_kept_deleted(pods):
    pod_id, pod = pods['Pod1']
    gone = str(uuid.uuid4())
    routing = row(pod_id, gone, 'deleting')

    summary = run()

    assert CONF.nova.deleted_server_retention == 86400
    assert actions(summary) == [(Action.MARKED_DELETED, gone)]
    assert status(routing) == 'deleted'
    assert pods['Pod1'][1].paths.count(f'/servers/{gone}') == 1
    assert actions(run()) == []


def test_deleted_rows_pruned_after_the_retention_without_asking(pods):
    pod_id, pod = pods['Pod1']
    expired = row(pod_id, str(uuid.uuid4()), 'deleted', changed=OLD + 1)
    kept = row(pod_id, str(uuid.uuid4()), 'deleted', changed=OLD - 60)
    other = row(pod_id, str(uuid.uuid4()), 'deleted', changed=OLD + 1,
                resource_type='volume')
    pod.down = True
    reconcilers = [settle.ServerReconciler(retention=OLD)]

    would = reconcile.prune(dry_run=True, reconcilers=reconcilers)
    summary = run(reconcilers=reconcilers)

    assert [(c.action, c.routing_id) for c in would.pods['Pod1'].changes
            ] == [(Action.EXPIRED, expired)]
    assert [(c.action, c.routing_id) for c in summary.pods['Pod1'].changes
            ] == [(Action.EXPIRED, expired)]
    assert [status(r) for r in (expired, kept, other)] == [
        None, 'deleted', 'deleted']
    assert pod.paths == []


def test_prune_removes_every_deleted_row_when_nothing_is_kept(pods):
    pod_id, _ = pods['Pod2']
    routing = row(pod_id, str(uuid.uuid4()), 'deleted', changed=1)
    CONF.set_override('deleted_server_retention', 0, group='nova')
    try:
        summary = reconcile.prune()
    finally:
        CONF.clear_override('deleted_server_retention', group='nova')

    assert actions(summary, 'Pod2') == [(Action.EXPIRED, ANY)]
    assert status(routing) is None


def test_deleting_row_of_a_server_that_stays_is_active_again(pods):
    pod_id, pod = pods['Pod1']
    server = pod.add()
    routing = row(pod_id, server, 'deleting', changed=OLD)

    summary = run()

    assert actions(summary) == [(Action.RESTORED, server)]
    assert status(routing) == 'active'


@pytest.mark.parametrize('fields', [
    {'OS-EXT-STS:task_state': 'deleting'},
    {'status': 'SOFT_DELETED', 'OS-EXT-STS:vm_state': 'soft-delete'},
])
def test_deleting_row_of_a_server_being_deleted_stays(pods, fields):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, pod.add(**fields), 'deleting')

    summary = run()

    assert actions(summary) == []
    assert status(routing) == 'deleting'


# request rows

def test_request_row_routes_the_servers_it_left_unrouted(pods):
    pod_id, pod = pods['Pod1']
    request = request_row(pod_id, age=OLD)
    request_id = db.get_routing(request).top_id
    made = [pod.add(age=OLD - 10), pod.add(age=OLD - 20)]
    routed = pod.add(age=OLD - 30)
    row(pod_id, routed, 'active')
    pod.add(age=OLD + 60)                  # before the request
    pod.add(project='p2', age=OLD - 10)    # another project
    pod.add(age=10)                        # a call in flight

    summary = run()

    assert actions(summary) == [(Action.ADOPTED, made[0]),
                                (Action.ADOPTED, made[1]),
                                (Action.REMOVED_REQUEST, request_id)]
    assert status(request) is None
    for server in made:
        routing = db.get_routing_by_top_id(server, SERVER)
        assert (routing.status, routing.bottom_id, routing.pod_id,
                routing.project_id) == ('active', server, pod_id, 'p1')
    assert len(db.list_routings(resource_type=SERVER)) == 3


def test_a_server_made_in_the_second_of_the_request_is_adopted(pods):
    pod_id, pod = pods['Pod1']
    request = request_row(pod_id)
    created = db.get_routing(request).created_at.replace(microsecond=0)
    server = pod.add(created=created.strftime('%Y-%m-%dT%H:%M:%SZ'))

    summary = run()

    assert (Action.ADOPTED, server) in actions(summary)


def test_a_request_just_past_the_threshold_adopts_what_its_call_made(pods):
    # the row is barely older than the threshold: the server its call
    # made two seconds later is younger than the threshold, yet it is
    # the call's, and must be adopted before the row goes
    pod_id, pod = pods['Pod1']
    request = request_row(pod_id, age=32)
    server = pod.add(age=30)
    in_flight = pod.add(age=0)

    summary = run(older_than=31)

    assert (Action.ADOPTED, server) in actions(summary)
    assert (Action.ADOPTED, in_flight) not in actions(summary)
    assert status(request) is None


def test_a_request_row_stays_while_its_server_s_second_is_not_over(pods):
    # with no threshold the run's cutoff is now: a server made in this
    # second may be the call's, is not adopted yet, and the request row
    # must stay for the run that adopts it
    pod_id, pod = pods['Pod1']
    request = request_row(pod_id, age=5)
    now = utcnow().replace(microsecond=0)
    server = pod.add(created=now.strftime('%Y-%m-%dT%H:%M:%SZ'))

    summary = run(older_than=0)

    assert actions(summary) == []
    assert status(request) == 'creating'

    # that second is over: the next run adopts it and removes the row
    pod.servers[server]['created'] = (
        now - datetime.timedelta(seconds=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    summary = run(older_than=0)

    assert (Action.ADOPTED, server) in actions(summary)
    assert status(request) is None


def test_request_row_with_nothing_to_route_is_removed(pods):
    pod_id, _pod = pods['Pod1']
    request = request_row(pod_id)

    summary = run()

    assert [change.action for change in summary.pods['Pod1'].changes] == [
        Action.REMOVED_REQUEST]
    assert status(request) is None


def test_servers_routed_creating_are_activated_not_adopted(pods):
    pod_id, pod = pods['Pod1']
    request_row(pod_id)
    server = pod.add(age=OLD - 10)
    routing = row(pod_id, server, 'creating', age=OLD - 10)

    summary = run()

    assert (Action.ADOPTED, server) not in actions(summary)
    assert status(routing) == 'active'


def test_servers_are_listed_page_by_page(pods, monkeypatch):
    monkeypatch.setattr(settle.PodServers, 'page_size', 2)
    pod_id, pod = pods['Pod1']
    request_row(pod_id)
    made = {pod.add(age=OLD - 10) for _ in range(5)}

    summary = run()

    adopted = {top_id for action, top_id in actions(summary)
               if action is Action.ADOPTED}
    assert adopted == made
    assert pod.paths.count('/servers/detail') == 3


# active rows

def test_active_row_of_a_missing_server_stays_by_default(pods):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, str(uuid.uuid4()), 'active')

    summary = run()

    assert actions(summary) == []
    assert status(routing) == 'active'
    assert pod.paths == []


def test_prune_missing_removes_active_rows_of_missing_servers(pods):
    pod_id, pod = pods['Pod1']
    missing = str(uuid.uuid4())
    stale = row(pod_id, missing, 'active')
    kept = row(pod_id, pod.add(), 'active')

    summary = run(prune_missing=True)

    assert actions(summary) == [(Action.PRUNED, missing)]
    assert (status(stale), status(kept)) == (None, 'active')


# what is left alone

def test_young_rows_are_left_alone_and_their_pod_not_asked(pods):
    pod_id, pod = pods['Pod1']
    young = [row(pod_id, str(uuid.uuid4()), 'creating', age=5),
             row(pod_id, pod.add(), 'deleting', age=OLD, changed=5),
             request_row(pod_id, age=5)]
    pod.add(age=2)

    summary = run()

    assert summary.pods['Pod1'].counts() == {a.value: 0 for a in Action}
    assert [status(r) for r in young] == ['creating', 'deleting',
                                          'creating']
    assert pod.paths == []


def test_older_than_sets_the_threshold(pods):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, pod.add(), 'creating', age=60)

    assert actions(run(older_than=120)) == []
    assert actions(run(older_than=30))[0][0] is Action.ACTIVATED
    assert status(routing) == 'active'


def test_a_threshold_beyond_all_time_settles_nothing(pods):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, pod.add(), 'creating')

    assert actions(run(older_than=1e15)) == []
    assert status(routing) == 'creating'


@pytest.mark.parametrize('older_than', [-1.0, float('nan')])
def test_a_negative_threshold_is_refused(pods, older_than):
    with pytest.raises(ValueError, match='older_than'):
        run(older_than=older_than)


def test_disabled_pods_are_not_reconciled(pods):
    pod_id, pod = pods['Pod1']
    db.update_pod(pod_id, enabled=False)
    routing = row(pod_id, str(uuid.uuid4()), 'creating')

    summary = run()

    assert 'Pod1' not in summary.pods
    assert status(routing) == 'creating'
    assert pod.paths == []


def test_a_row_changed_meanwhile_is_left_to_the_gateway(pods):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, pod.add(), 'deleting', changed=OLD)
    pod.on_list = lambda: db.mark_routing_active(routing)

    summary = run()

    assert actions(summary) == []
    assert status(routing) == 'active'


# dry run and summary

def test_dry_run_changes_nothing_and_says_what_it_would_do(pods):
    pod_id, pod = pods['Pod1']
    creating = row(pod_id, pod.add(), 'creating')
    request = request_row(pod_id)
    unrouted = pod.add(age=OLD - 10)

    summary = run(dry_run=True)

    assert summary.dry_run
    assert summary.pods['Pod1'].counts() == {
        'activated': 1, 'removed_creating': 0, 'removed_deleted': 0,
        'restored': 0, 'adopted': 1, 'removed_request': 1, 'pruned': 0,
        'marked_deleted': 0, 'expired': 0}
    assert (status(creating), status(request)) == ('creating', 'creating')
    with pytest.raises(db_exc.NotFound):
        db.get_routing_by_top_id(unrouted, SERVER)


def test_summary_as_dict_counts_per_pod(pods):
    pod_id, pod = pods['Pod1']
    server = pod.add()
    row(pod_id, server, 'creating')

    result = run().as_dict()

    assert result['dry_run'] is False
    assert result['older_than'] == reconcile.DEFAULT_OLDER_THAN
    assert result['pods']['Pod1']['counts']['activated'] == 1
    assert result['pods']['Pod1']['changes'] == [{
        'action': 'activated', 'resource_type': 'server', 'top_id': server,
        'project_id': 'p1'}]
    assert result['pods']['Pod2'] == {
        'counts': {a.value: 0 for a in Action}, 'skipped': None,
        'changes': []}


# pods that cannot be asked

def test_unreachable_pod_is_skipped_with_a_warning(pods, caplog):
    pod1_id, pod1 = pods['Pod1']
    pod2_id, pod2 = pods['Pod2']
    pod1.down = True
    kept = row(pod1_id, str(uuid.uuid4()), 'creating')
    settled = row(pod2_id, pod2.add(), 'creating')

    with caplog.at_level(logging.WARNING, logger=reconcile.__name__):
        summary = run()

    assert 'cannot reach Pod1' in summary.pods['Pod1'].skipped
    assert summary.pods['Pod1'].changes == []
    assert (status(kept), status(settled)) == ('creating', 'active')
    assert 'Pod1 skipped' in caplog.text


def test_a_pod_that_fails_midway_changes_nothing(pods):
    pod_id, pod = pods['Pod1']
    routings = [row(pod_id, pod.add(), 'creating'),
                row(pod_id, str(uuid.uuid4()), 'creating')]
    pod.on_list = lambda: setattr(pod, 'status', 500)

    summary = run()

    assert 'HTTP 500' in summary.pods['Pod1'].skipped
    assert [status(r) for r in routings] == ['creating', 'creating']


def test_a_404_that_is_not_novas_removes_nothing(pods):
    pod_id, pod = pods['Pod1']
    routing = row(pod_id, str(uuid.uuid4()), 'creating')
    pod.status = 404

    summary = run()

    assert 'HTTP 404' in summary.pods['Pod1'].skipped
    assert status(routing) == 'creating'


def test_a_server_answer_without_a_server_removes_nothing(pods, mocker):
    pod_id, pod = pods['Pod1']
    missing = str(uuid.uuid4())
    routing = row(pod_id, missing, 'creating')
    mocker.get(f'{pod.url}/servers/{missing}', json={'unexpected': {}})

    summary = run()

    assert 'HTTP 200 and no expected body' in summary.pods['Pod1'].skipped
    assert status(routing) == 'creating'


def test_pod_without_compute_endpoint_is_skipped(pods):
    pod_id = db.create_pod('Pod3', 'az3').id
    routing = row(pod_id, str(uuid.uuid4()), 'creating')

    summary = run()

    assert 'no public compute endpoint of region Pod3' in (
        summary.pods['Pod3'].skipped)
    assert status(routing) == 'creating'


def test_endpoint_overrides_come_before_the_catalog(pods, mocker, override):
    override('endpoint_overrides',
             {'Pod3.compute': 'http://pod3.test/v2.1'}, group='pods')
    pod_id = db.create_pod('Pod3', 'az3').id
    pod3 = FakePod(mocker, 'http://pod3.test/v2.1')
    routing = row(pod_id, pod3.add(), 'creating')

    run()

    assert status(routing) == 'active'


# configuration

def test_no_service_credentials_is_a_configuration_error(sqlite_db,
                                                         override):
    loading.register_auth_conf_options(CONF, reconcile_access.GROUP)
    override('auth_type', None, group=reconcile_access.GROUP)

    with pytest.raises(reconcile_access.ReconcileError,
                       match='no service credentials'):
        reconcile_access.service_session(CONF)


def test_missing_auth_url_is_a_configuration_error(service_conf, override):
    override('auth_url', None, group=reconcile_access.GROUP)

    with pytest.raises(reconcile_access.ReconcileError, match='auth_url'):
        reconcile_access.service_session(CONF)


def test_refused_service_user_is_an_error_and_changes_nothing(pods, mocker):
    pod_id, _pod = pods['Pod1']
    routing = row(pod_id, str(uuid.uuid4()), 'creating')
    mocker.post(KEYSTONE + '/auth/tokens', status_code=401,
                json={'error': {'code': 401}})

    with pytest.raises(reconcile_access.ReconcileError,
                       match='cannot authenticate'):
        run()
    assert status(routing) == 'creating'


def test_malformed_endpoint_overrides_are_an_error(pods, override):
    override('endpoint_overrides', {'compute': 'http://x'}, group='pods')

    with pytest.raises(reconcile_access.ReconcileError, match=r'\[pods\]'):
        run()


def test_manage_reports_missing_credentials_without_traceback(tmp_path):
    conf = tmp_path / 'trio2o.conf'
    conf.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n')
    done = subprocess.run(
        [str(BIN / 'trio2o-manage'), '--config-file', str(conf),
         'routings', 'reconcile', '--dry-run'],
        capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert done.stderr.startswith('trio2o-manage: no service credentials')
    assert 'Traceback' not in done.stderr
    assert done.stdout == ''


# another service's rows, through its own reconciler

class _Volumes(PodInventory):
    def __init__(self, states: dict[str, ResourceState],
                 made: list[str]) -> None:
        self.states = states
        self.made_ids = made

    def state(self, resource_id: str) -> ResourceState:
        return self.states.get(resource_id, ResourceState.GONE)

    def made(self, project_id, since, until) -> list[str]:
        return list(self.made_ids)


class _VolumeReconciler(Reconciler):
    resource_type = 'volume'
    catalog_service = 'compute'

    def __init__(self, inventory: _Volumes) -> None:
        self.inventory_of = inventory
        self.pods: list[str] = []

    def inventory(self, pod, get):
        self.pods.append(pod.name)
        return self.inventory_of


def test_a_driver_s_reconciler_settles_its_own_rows(pods):
    pod_id, _pod = pods['Pod1']
    present, gone, left = (str(uuid.uuid4()) for _ in range(3))
    created = row(pod_id, present, 'creating', resource_type='volume')
    deleted = row(pod_id, gone, 'deleting', resource_type='volume')
    request = row(pod_id, str(uuid.uuid4()), 'creating',
                  resource_type='volume_request')
    server = row(pod_id, str(uuid.uuid4()), 'creating')
    reconciler = _VolumeReconciler(_Volumes(
        {present: ResourceState.PRESENT}, [left, present]))

    summary = run(reconcilers=[reconciler])

    assert reconciler.pods == ['Pod1']
    assert actions(summary) == [
        (Action.ACTIVATED, present), (Action.REMOVED_DELETED, gone),
        (Action.ADOPTED, left), (Action.REMOVED_REQUEST, ANY)]
    assert (status(created), status(deleted), status(request),
            status(server)) == ('active', None, None, 'creating')
    assert db.get_routing_by_top_id(left, 'volume').status == 'active'
