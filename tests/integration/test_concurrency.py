"""Concurrent creates through ``trio2o-api`` with 4 forked workers, on
PostgreSQL and again on MariaDB, in front of stateful fake Nova pods
(:mod:`trio2o_core.testing.nova_pods`), ``noauth``.

Four pods: Pod1 and Pod2 serve zone az1, Pod3 and Pod4 zone az2. For
each backend (sizes chosen to keep the whole module under about two
minutes on two cores; it takes 35 to 45 s for both backends there):

1. 200 creates (``POST /servers``), 40 at a time, across 20 projects
   and both zones (10 per project, 5 per zone). Every one answers 202;
   each (project, zone) has exactly one active binding and all its
   servers are in that binding's pod; the pods hold exactly the 200
   servers, each with one ``server`` routing row to its own pod; no
   ``server_request`` row is left.
2. 200 more creates, while one worker is killed with SIGKILL once 60
   have answered (the pods take 0.2 s per create, so the worker has
   calls in flight: the test fails if none was cut short, or if no
   request row was left for the reconciler). The supervisor replaces it
   (4 workers again); the bindings stay one per (project, zone); no
   server is made twice (each request has its own name); every server a
   client was told about is in its pod; after a reconciler run every
   server the pods hold has exactly one routing row pointing at its pod
   and no ``server_request`` row is left.

The pods are listed straight (``all_tenants``), past the gateway; the
routing rows and bindings are read in the gateway's database.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from keystoneauth1 import access
from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1 import session as ks_session

from tests.functional.db import conftest as db_conftest
from trio2o_core import reconcile
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.testing.nova_pods import NovaPods
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import free_port
from trio2o_core.testing.process import http_ok
from trio2o_plugins.nova.settle import ServerReconciler

BIN = pathlib.Path(sys.executable).parent
WORKERS = 4
PROJECTS = 20
CREATES = 200
PARALLEL = 40
#: answers seen before a worker is killed in the second round
KILL_AFTER = 60
#: seconds a pod takes to answer a create (the server made first)
CREATE_DELAY = 0.2
#: pod name -> (users' zone, pod's own zone)
PODS = {'Pod1': ('az1', 'pod1-zone'), 'Pod2': ('az1', 'pod2-zone'),
        'Pod3': ('az2', 'pod3-zone'), 'Pod4': ('az2', 'pod4-zone')}
ZONES = ('az1', 'az2')
IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b'
TIMEOUT = 60.0


def _projects() -> list[str]:
    return [f'{index:032x}' for index in range(1, PROJECTS + 1)]


@pytest.fixture(scope='module', params=['postgresql', 'mysql'],
                ids=['postgresql', 'mariadb'])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new empty database on the backend, dropped at the end."""
    name = f'trio2o_concurrency_{uuid.uuid4().hex[:8]}'
    if request.param == 'postgresql':
        yield from db_conftest._postgresql_database(name)
    else:
        yield from db_conftest._mysql_database(name)


class Gateway:
    """``trio2o-api`` (noauth, nova, 4 workers) and its database;
    ``extra_conf`` is appended to its configuration file."""

    def __init__(self, workdir: pathlib.Path, database_url: str,
                 pods: NovaPods, extra_conf: str = '') -> None:
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.conf_file = workdir / 'trio2o.conf'
        self.conf_file.write_text(
            '[DEFAULT]\nauth_strategy = noauth\nenabled_services = nova\n'
            f'state_path = {workdir}\n'
            f'log_file = {workdir / "trio2o-api.log"}\n'
            f'[api]\nbind_host = 127.0.0.1\nbind_port = {self.port}\n'
            f'workers = {WORKERS}\n'
            f'[database]\nconnection = {database_url}\n'
            '[pods]\ntimeout = 30\n'
            f'endpoint_overrides = {pods.overrides()}\n'
            '[reconcile]\ninterval = 0\n' + extra_conf)
        self.manage('db', 'sync')
        for name, (zone, pod_zone) in PODS.items():
            self.manage('pod', 'create', '--name', name, '--az-name', zone,
                        '--pod-az-name', pod_zone)
        self.process = Process(
            'trio2o-api', [str(BIN / 'trio2o-api'), '--config-file',
                           str(self.conf_file)], workdir / 'trio2o-api.out')
        self.process.wait_ready(http_ok(self.url + '/compute'), timeout=60)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [str(BIN / 'trio2o-manage'), '--config-file',
             str(self.conf_file), *args],
            check=True, capture_output=True, text=True).stdout

    def workers(self) -> set[int]:
        """The live workers (children of the supervisor)."""
        pid = self.process.pid
        path = pathlib.Path(f'/proc/{pid}/task/{pid}/children')
        return {int(child) for child in path.read_text().split()}

    def wait_workers(self, without: int | None = None) -> set[int]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            workers = self.workers()
            if len(workers) == WORKERS and without not in workers:
                return workers
            assert time.monotonic() < deadline, (
                f'workers not {WORKERS} (without {without}): {workers}')
            time.sleep(0.1)


@pytest.fixture(scope='module')
def pods() -> Iterator[NovaPods]:
    with NovaPods(list(PODS), [zone for _, zone in PODS.values()],
                  create_delay=CREATE_DELAY) as running:
        yield running


@pytest.fixture(scope='module')
def api_gateway(database_url: str, pods: NovaPods,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    # each backend runs against pods holding nothing yet
    for name in PODS:
        for server in pods.servers(name):
            requests.delete(
                f'{pods.urls[list(PODS).index(name)]}/v2.1/servers/'
                f'{server["id"]}', timeout=10)
    started = Gateway(tmp_path_factory.mktemp('concurrency'), database_url,
                      pods)
    CONF.set_override('connection', database_url, group='database')
    CONF.set_override('endpoint_overrides', dict(
        pair.split(':', 1) for pair in pods.overrides().split(',')),
        group='pods')
    db.reset_engine()
    try:
        yield started
    finally:
        started.process.stop()
        db.reset_engine()
        CONF.clear_override('connection', group='database')
        CONF.clear_override('endpoint_overrides', group='pods')


class _ServiceUser(ks_plugin.BaseAuthPlugin):
    """The reconciler's identity on noauth pods: an admin ``noauth``
    token and an empty catalog (the pods are endpoint overrides)."""

    def get_headers(self, session: Any, **kwargs: Any) -> dict[str, str]:
        return {'X-Auth-Token': 'reconciler:admin'}

    def get_access(self, session: Any) -> access.AccessInfo:
        return access.create(body=ks_fixture.V3Token(),
                             auth_token='reconciler:admin')


def run_reconciler() -> collections.Counter[str]:
    """Settle every row, once the second of the last create is over
    (Nova tells creation times to the second)."""
    time.sleep(1.1)
    summary = reconcile.reconcile(ks_session.Session(auth=_ServiceUser()),
                                  older_than=0,
                                  reconcilers=[ServerReconciler()])
    assert not any(report.skipped for report in summary.pods.values())
    return collections.Counter(change.action.value
                               for report in summary.pods.values()
                               for change in report.changes)


def create(url: str, project: str, zone: str, name: str
           ) -> tuple[str, int | None, str | None]:
    """``POST /servers`` as a member of ``project``; return the name,
    the status (None: no answer) and the server id answered."""
    try:
        answer = requests.post(
            url + '/compute/v2.1/servers',
            headers={'X-Auth-Token': f'user-{project[-4:]}:{project}',
                     'X-Roles': 'member,reader'},
            json={'server': {'name': name, 'imageRef': IMAGE_ID,
                             'flavorRef': '1', 'availability_zone': zone}},
            timeout=TIMEOUT)
    except requests.ConnectionError:
        return name, None, None
    if answer.status_code != 202:
        return name, answer.status_code, None
    return name, 202, answer.json()['server']['id']


def create_all(gateway: Gateway, round_name: str,
               kill_after: int | None = None
               ) -> tuple[list[tuple[str, int | None, str | None]],
                          int | None]:
    """Send :data:`CREATES` creates, :data:`PARALLEL` at a time, spread
    over projects and zones; with ``kill_after``, SIGKILL one worker once
    that many have answered. Return the answers and the worker killed."""
    jobs = [(project, zone, f'{round_name}-{project[-4:]}-{zone}-{n}')
            for n in range(CREATES // (PROJECTS * len(ZONES)))
            for project in _projects() for zone in ZONES]
    done = threading.Semaphore(0)
    killed: list[int] = []

    def killer() -> None:
        for _ in range(kill_after or 0):
            done.acquire()
        victim = min(gateway.workers())
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    thread = None
    if kill_after is not None:
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()

    def one(job: tuple[str, str, str]) -> tuple[str, int | None, str | None]:
        try:
            return create(gateway.url, *job)
        finally:
            done.release()

    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(one, jobs))
    if thread is not None:
        thread.join(TIMEOUT)
        assert killed, 'no worker was killed'
    return answers, killed[0] if killed else None


def pod_servers(pods: NovaPods) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every server the pods hold: id -> (pod name, record)."""
    held: dict[str, tuple[str, dict[str, Any]]] = {}
    for name in PODS:
        for server in pods.servers(name):
            assert server['id'] not in held, f'{server["id"]} in two pods'
            held[server['id']] = (name, server)
    return held


def check_routed(pods: NovaPods) -> dict[str, tuple[str, dict[str, Any]]]:
    """Assert the routing table and the bindings match the pods exactly;
    return the pods' servers."""
    held = pod_servers(pods)
    names = {pod.id: pod.name for pod in db.list_pods()}
    rows = db.list_routings(resource_type='server')
    counted = collections.Counter(row.top_id for row in rows)
    assert [top for top, n in counted.items() if n > 1] == []
    routed = {row.top_id: (names[row.pod_id], row) for row in rows}
    assert sorted(set(held) - set(routed)) == [], 'servers with no row'
    assert sorted(set(routed) - set(held)) == [], 'rows pointing at nothing'
    for top_id, (pod, row) in routed.items():
        assert (pod, row.bottom_id, row.status, row.project_id) == (
            held[top_id][0], top_id, 'active',
            held[top_id][1]['tenant_id'])
    assert db.list_routings(resource_type='server_request') == []

    bindings = collections.defaultdict(list)
    for binding in db.list_bindings(is_active=True):
        bindings[(binding.project_id, binding.az_name)].append(
            names[binding.pod_id])
    assert {key: len(pods_) for key, pods_ in bindings.items()
            if len(pods_) != 1} == {}
    for pod, server in held.values():
        key = (server['tenant_id'], PODS[pod][0])
        assert bindings[key] == [pod], f'{server["id"]} outside its binding'
    return held


def test_concurrent_creates_and_a_killed_worker(api_gateway: Gateway,
                                                pods: NovaPods) -> None:
    answers, _ = create_all(api_gateway, 'first')

    assert [a for a in answers if a[1] != 202] == []
    held = check_routed(pods)
    assert len(held) == CREATES
    assert sorted(server['name'] for _, server in held.values()) == sorted(
        name for name, _, _ in answers)
    assert {server_id for _, _, server_id in answers} == set(held)
    assert {(p, z) for p in _projects() for z in ZONES} == {
        (b.project_id, b.az_name) for b in db.list_bindings(is_active=True)}

    workers = api_gateway.wait_workers()
    answers, victim = create_all(api_gateway, 'second', kill_after=KILL_AFTER)

    assert victim in workers
    assert api_gateway.wait_workers(without=victim).isdisjoint({victim})
    statuses = collections.Counter(status for _, status, _ in answers)
    assert set(statuses) <= {202, None, 502, 503}, statuses
    assert statuses[None] > 0, 'the kill cut no call short'
    settled = run_reconciler()
    # each call cut short left its request row: settled, none is left
    assert settled['removed_request'] >= 1, settled
    held = check_routed(pods)
    made = collections.Counter(server['name'] for _, server in held.values()
                               if server['name'].startswith('second-'))
    assert [name for name, n in made.items() if n > 1] == [], 'doubled'
    told = {server_id for _, status, server_id in answers if status == 202}
    assert told <= set(held), 'a server answered 202 is not in its pod'
    assert len(told) <= len(made) <= CREATES
    assert {(p, z) for p in _projects() for z in ZONES} == {
        (b.project_id, b.az_name) for b in db.list_bindings(is_active=True)}
    # the replaced worker serves: a create after the run answers
    name, status, server_id = create(api_gateway.url, _projects()[0], 'az1',
                                     'after-the-kill')
    assert status == 202 and server_id is not None
