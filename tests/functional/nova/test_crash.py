"""``trio2o-api`` killed (SIGKILL) in the middle of a server create, in
front of two real Nova pods; restarted, then reconciled.

The fault proxy in front of pod 1 holds the create (:meth:`FaultProxy.
hold`) so that the gateway is killed at a chosen point:

- ``before-pod-dropped``: the ``server_request`` row is written and the
  create is held before it reaches the pod; the gateway dies, and the
  held request is dropped: the pod never makes the server;
- ``before-pod-forwarded``: the same, but the held request is forwarded
  once the gateway is dead: the pod makes a server nobody is told of;
- ``after-pod``: the pod made the server and its answer is held; the
  gateway dies before routing the server.

The gateway is then started again and the rows are settled by
``trio2o-manage routings reconcile`` or by the periodic reconciler of
the restarted ``trio2o-api`` (``[reconcile] interval``). Then, as the
pods say when listed straight as admin (past the gateway, every
project): every server made since the test began has a routing row to
its pod, every routing row names a server its pod holds, no
``server_request`` row is left, and each server answers through the
gateway.

The module runs its own gateway (its own SQLite database, not in the
catalog) so that killing it leaves the session's gateway alone.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest
from keystoneauth1 import session as ks_session

from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import wait_for
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess

SERVER = 'server'
SERVER_REQUEST = 'server_request'
POD_NAMES = ('Pod1', 'Pod2')
#: seconds the proxy may hold a create: far below the gateway's pod
#: timeout, so the gateway is still waiting when it is killed
POD_TIMEOUT = '120'
MICROVERSION = {'OpenStack-API-Version': 'compute 2.37',
                'X-OpenStack-Nova-API-Version': '2.37'}


@pytest.fixture(scope='module')
def crashing(local_cloud: LocalCloud,
             tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[GatewayProcess]:
    """A gateway of this module only, with one worker; ``trio2o_core.db``
    reads its database meanwhile."""
    gateway = GatewayProcess(local_cloud, tmp_path_factory.mktemp('crash'),
                             options={'pods': {'timeout': POD_TIMEOUT}})
    gateway.start(register=False)
    CONF.set_override('connection',
                      f'sqlite:///{gateway.workdir}/trio2o.sqlite',
                      group='database')
    db.reset_engine()
    try:
        yield gateway
    finally:
        gateway.stop()
        db.reset_engine()
        CONF.clear_override('connection', group='database')


@pytest.fixture(scope='module')
def user(local_cloud: LocalCloud) -> ks_session.Session:
    """A Keystone session of the first ordinary user."""
    return local_cloud.session(local_cloud.users[0])


@pytest.fixture(scope='module')
def pod_admins(local_cloud: LocalCloud
               ) -> dict[str, openstack.connection.Connection]:
    """openstacksdk as the admin straight to each pod, past any
    gateway."""
    return {name: openstack.connection.Connection(
        session=local_cloud.session(local_cloud.admin), region_name=name)
        for name in POD_NAMES}


@pytest.fixture
def since(pod_admins: dict[str, openstack.connection.Connection]
          ) -> Iterator[datetime.datetime]:
    """When the test began (to the second, as Nova tells creation
    times); the servers made since are deleted afterwards, with their
    routing rows."""
    began = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    yield began
    for conn in pod_admins.values():
        for server in made_since(conn, began):
            conn.compute.delete_server(server.id, ignore_missing=True)
    for row in db.list_routings():
        db.delete_routing(row.id)


@pytest.fixture
def crashing_quiet(crashing: GatewayProcess) -> Iterator[GatewayProcess]:
    """The module's gateway, started with no periodic reconciler (one
    on rows of any age would settle the request row of the create in
    flight), and running again after the test."""
    if crashing.process is None or crashing.options.get(
            'reconcile', {}).get('interval') != '0':
        crashing.restart({'reconcile': {'interval': '0'}})
    yield crashing
    if crashing.process is None:
        crashing.restart({'reconcile': {'interval': '0'}})


def made_since(conn: openstack.connection.Connection,
               since: datetime.datetime) -> list[Any]:
    """The servers of every project the pod made at or after ``since``
    (tests run one at a time: those are this test's)."""
    return [server for server in conn.compute.servers(all_projects=True)
            if datetime.datetime.fromisoformat(server.created_at)
            >= since]


def named(conn: openstack.connection.Connection, name: str) -> list[Any]:
    return list(conn.compute.servers(all_projects=True, name=f'^{name}$'))


def gateway_url(gateway: GatewayProcess, path: str) -> str:
    return f'{gateway.url}/compute/v2.1{path}'


def start_create(gateway: GatewayProcess, user: ks_session.Session,
                 name: str) -> threading.Thread:
    """``POST /servers`` in az1 (pod 1) from a thread; the caller kills
    the gateway meanwhile, so the answer is never looked at."""
    def create() -> None:
        try:
            user.post(gateway_url(gateway, '/servers'), json={'server': {
                'name': name, 'imageRef': IMAGE_ID, 'flavorRef': FLAVOR_ID,
                'availability_zone': 'az1', 'networks': 'none'}},
                headers=MICROVERSION, raise_exc=False)
        except Exception:  # noqa: BLE001 - the gateway dies under it
            pass
    thread = threading.Thread(target=create, daemon=True)
    thread.start()
    return thread


def request_rows() -> list[Any]:
    return db.list_routings(resource_type=SERVER_REQUEST)


def reconcile_once(gateway: GatewayProcess) -> None:
    json.loads(gateway.manage('routings', 'reconcile', '--older-than', '0'))


def consistent(gateway: GatewayProcess, user: ks_session.Session,
               pod_admins: dict[str, openstack.connection.Connection],
               since: datetime.datetime) -> list[str]:
    """What breaks the invariants (empty: none): servers made since
    ``since`` with no row to their pod, rows naming a server their pod
    does not hold, ``server_request`` rows, servers the gateway does
    not answer for."""
    broken = []
    names = {pod.id: pod.name for pod in db.list_pods()}
    rows = {row.top_id: row for row in db.list_routings(
        resource_type=SERVER)}
    for pod, conn in pod_admins.items():
        for server in made_since(conn, since):
            row = rows.get(server.id)
            if row is None or names[row.pod_id] != pod:
                broken.append(f'{server.id} in {pod} not routed there')
            elif user.get(gateway_url(gateway, f'/servers/{server.id}'),
                          raise_exc=False).status_code != 200:
                broken.append(f'{server.id} not answered by the gateway')
    for row in rows.values():
        try:
            pod_admins[names[row.pod_id]].compute.get_server(row.top_id)
        except openstack.exceptions.NotFoundException:
            broken.append(f'row {row.top_id} names nothing')
    broken += [f'request row {row.top_id} left' for row in request_rows()]
    return broken


@pytest.mark.parametrize('reconciler', ['manage', 'periodic'])
@pytest.mark.parametrize('window', ['before-pod-dropped',
                                    'before-pod-forwarded', 'after-pod'])
def test_gateway_killed_during_a_create(
        crashing_quiet: GatewayProcess, user: ks_session.Session,
        pod_admins: dict[str, openstack.connection.Connection],
        since: datetime.datetime, window: str, reconciler: str) -> None:
    crashing = crashing_quiet
    pod1 = pod_admins['Pod1']
    proxy = crashing.cloud.pods[0].proxy
    name = f'crash-{window}-{uuid.uuid4().hex[:8]}'
    assert request_rows() == []
    proxy.hold(methods=['POST'], answer=window == 'after-pod')
    try:
        client = start_create(crashing, user, name)
        proxy.wait_held()
        # the gateway waits for the pod: its request row is written
        pending = request_rows()
        assert [(row.project_id, row.status) for row in pending] == [
            (pending[0].project_id, 'creating')]
        made = named(pod1, name)
        assert len(made) == (1 if window == 'after-pod' else 0)

        crashing.kill()
        client.join(30)
        proxy.release(forward=window == 'before-pod-forwarded')
    finally:
        proxy.clear()
    if window == 'before-pod-dropped':
        assert named(pod1, name) == []
    else:
        made = wait_for(lambda: named(pod1, name), 'the server in pod 1')
    assert [row.top_id for row in request_rows()] == [pending[0].top_id]
    routed = {row.top_id for row in db.list_routings(resource_type=SERVER)}
    assert routed.isdisjoint(server.id for server in made)

    if made:
        # a reconciler adopts a server once the second Nova says it was
        # made in is over (to the second); one run in that second would
        # remove the request row and leave the server unadopted
        created = datetime.datetime.fromisoformat(made[0].created_at)
        wait_for(lambda: datetime.datetime.now(datetime.UTC)
                 >= created + datetime.timedelta(seconds=1),
                 'the second of the creation over')
    if reconciler == 'periodic':
        crashing.restart({'reconcile': {'interval': '1',
                                        'older_than': '0'}})
    else:
        crashing.restart({'reconcile': {'interval': '0'}})

    def settled() -> bool:
        if reconciler == 'manage':
            reconcile_once(crashing)
        return not consistent(crashing, user, pod_admins, since)

    try:
        wait_for(settled, 'the rows settled by the reconciler', timeout=60)
    except AssertionError:
        raise AssertionError(
            consistent(crashing, user, pod_admins, since)) from None
    if window != 'before-pod-dropped':
        row = db.get_routing_by_top_id(made[0].id, SERVER)
        assert (row.status, row.bottom_id, row.project_id) == (
            'active', made[0].id, pending[0].project_id)
        assert user.get(gateway_url(crashing, f'/servers/{made[0].id}'),
                        raise_exc=False).json()['server']['name'] == name
    else:
        assert named(pod1, name) == []
    try:
        db.get_routing_by_top_id(pending[0].top_id, SERVER_REQUEST)
    except db_exc.NotFound:
        pass
    else:
        raise AssertionError('the request row is left')
