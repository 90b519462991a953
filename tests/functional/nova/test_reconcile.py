"""``trio2o-manage routings reconcile`` against two real Nova pods.

The windows a crash or a lost answer leaves are made by hand in the
gateway's own database (the test opens the gateway's SQLite file), and
servers are deleted straight in their pod; the reconciler then runs as an
operator would, with the gateway's configuration.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest
import sqlalchemy as sa

from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for
from tests.functional.nova.conftest import wait_gone
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db import models
from trio2o_core.testing.gateway import GatewayProcess

SERVER = 'server'
SERVER_REQUEST = 'server_request'


@pytest.fixture(scope='module')
def pod1_admin(gateway: GatewayProcess) -> openstack.connection.Connection:
    """openstacksdk as the admin straight to pod 1, past the gateway."""
    cloud = gateway.cloud
    return openstack.connection.Connection(
        session=cloud.session(cloud.admin), region_name='Pod1')


@pytest.fixture
def server(demo: Any, admin: Any) -> Iterator[Any]:
    """An ACTIVE server of the demo user in pod 1, deleted afterwards."""
    made = boot(demo, 'az1')
    yield made
    admin.compute.delete_server(made.id, ignore_missing=True)


def reconcile(gateway: GatewayProcess, *args: str) -> dict[str, Any]:
    """Run the reconciler on every row and return its summary."""
    return json.loads(gateway.manage('routings', 'reconcile',
                                     '--older-than', '0', *args))


def changes(summary: dict[str, Any], pod: str = 'Pod1') -> list[tuple]:
    """The changes made in ``pod`` as (action, resource type, top id);
    rows other tests left may be among them."""
    return [(c['action'], c['resource_type'], c['top_id'])
            for c in summary['pods'][pod]['changes']]


def changes_of(summary: dict[str, Any], *top_ids: str) -> list[tuple]:
    """The changes made in pod 1 to ``top_ids``, in order."""
    return [change for change in changes(summary) if change[2] in top_ids]


def routing(top_id: str, resource_type: str = SERVER) -> Any:
    """The routing row, None when there is none."""
    try:
        return db.get_routing_by_top_id(top_id, resource_type)
    except db_exc.NotFound:
        return None


def set_times(routing_id: int, created_at: datetime.datetime) -> None:
    """Give a row another creation time (and no change since)."""
    table = models.ResourceRouting.__table__
    with db.session_scope() as session:
        session.execute(sa.update(table).where(table.c.id == routing_id)
                        .values(created_at=created_at, updated_at=None))


def set_status(routing_id: int, status: str) -> None:
    table = models.ResourceRouting.__table__
    with db.session_scope() as session:
        session.execute(sa.update(table).where(table.c.id == routing_id)
                        .values(status=status))


def delete_in_pod(conn: openstack.connection.Connection,
                  server_id: str) -> None:
    """Delete the server in its pod and wait until the pod says 404."""
    conn.compute.delete_server(server_id)
    wait_gone(conn, server_id)


def test_server_made_before_a_crash_is_routed(gateway, gateway_db, demo,
                                              server):
    row = routing(server.id)
    db.delete_routing(row.id)
    request_id = str(uuid.uuid4())
    request = db.create_routing(request_id, SERVER_REQUEST, row.pod_id,
                                row.project_id)
    created = datetime.datetime.fromisoformat(server.created_at)
    set_times(request.id, created - datetime.timedelta(seconds=30))
    # Nova tells creation to the second: the reconciler takes a server
    # once the second it was made in is over.
    wait_for(lambda: models.utcnow() >= created + datetime.timedelta(
        seconds=1), 'the second of the creation over')
    assert demo.compute.get(f'/servers/{server.id}',
                            raise_exc=False).status_code == 404

    dry = reconcile(gateway, '--dry-run')
    assert dry['dry_run'] is True
    assert changes_of(dry, server.id, request_id) == [
        ('adopted', SERVER, server.id),
        ('removed_request', SERVER_REQUEST, request_id)]
    assert routing(server.id) is None
    pending = json.loads(gateway.manage('routings', 'list', '--type',
                                        SERVER_REQUEST))
    assert request_id in [r['top_id'] for r in pending]

    summary = reconcile(gateway)

    assert changes_of(summary, server.id, request_id) == changes_of(
        dry, server.id, request_id)
    assert summary['pods']['Pod1']['counts']['adopted'] >= 1
    adopted = routing(server.id)
    assert (adopted.status, adopted.bottom_id, adopted.pod_id,
            adopted.project_id) == ('active', server.id, row.pod_id,
                                    row.project_id)
    assert routing(request_id, SERVER_REQUEST) is None
    assert demo.compute.get(f'/servers/{server.id}').status_code == 200


def test_creating_row_is_settled_by_the_pod(gateway, gateway_db, server):
    row = routing(server.id)
    set_status(row.id, 'creating')
    pod_id, project_id = row.pod_id, row.project_id
    missing = str(uuid.uuid4())
    db.create_routing(missing, SERVER, pod_id, project_id)

    summary = reconcile(gateway)

    assert ('activated', SERVER, server.id) in changes(summary)
    assert ('removed_creating', SERVER, missing) in changes(summary)
    assert routing(server.id).status == 'active'
    assert routing(missing) is None


def test_deleting_row_is_settled_by_the_pod(gateway, gateway_db, demo,
                                            pod1_admin, server):
    deleted = boot(demo, 'az1')
    for made in (server, deleted):
        db.mark_routing_deleting(routing(made.id).id)
    delete_in_pod(pod1_admin, deleted.id)

    summary = reconcile(gateway)

    assert ('marked_deleted', SERVER, deleted.id) in changes(summary)
    assert ('restored', SERVER, server.id) in changes(summary)
    assert routing(deleted.id).status == 'deleted'
    assert routing(server.id).status == 'active'


def test_deleted_rows_pruned_after_the_retention(gateway, gateway_db, demo,
                                                  server):
    demo.compute.delete_server(server.id)
    wait_gone(demo, server.id)
    row = routing(server.id)
    assert row.status == 'deleted'

    kept = json.loads(gateway.manage('routings', 'prune'))
    table = models.ResourceRouting.__table__
    with db.session_scope() as session:
        session.execute(sa.update(table).where(table.c.id == row.id).values(
            updated_at=models.utcnow() - datetime.timedelta(days=2)))
    pruned = json.loads(gateway.manage('routings', 'prune'))

    assert ('expired', SERVER, server.id) not in changes(kept)
    assert ('expired', SERVER, server.id) in changes(pruned)
    assert routing(server.id) is None
    actions = demo.compute.get(f'/servers/{server.id}/os-instance-actions',
                               microversion='2.21', raise_exc=False)
    assert actions.status_code == 404


def test_missing_servers_are_pruned_only_when_asked(gateway, gateway_db,
                                                    pod1_admin, server):
    delete_in_pod(pod1_admin, server.id)

    kept = reconcile(gateway)
    assert routing(server.id).status == 'active'
    assert all(top_id != server.id for _a, _t, top_id in changes(kept))

    pruned = reconcile(gateway, '--prune-missing')
    assert ('pruned', SERVER, server.id) in changes(pruned)
    assert routing(server.id) is None


def test_unreachable_pod_is_skipped_and_its_rows_kept(gateway, gateway_db):
    pod2 = gateway.cloud.pods[1]
    pod_id = db.get_pod_by_name('Pod2').id
    missing = str(uuid.uuid4())
    db.create_routing(missing, SERVER, pod_id, 'some-project')
    pod2.proxy.refuse()
    try:
        skipped = reconcile(gateway)
    finally:
        pod2.proxy.clear()

    assert skipped['pods']['Pod2']['skipped']
    assert changes(skipped, 'Pod2') == []
    assert routing(missing).status == 'creating'
    settled = reconcile(gateway)
    assert ('removed_creating', SERVER, missing) in changes(settled, 'Pod2')
    assert routing(missing) is None
