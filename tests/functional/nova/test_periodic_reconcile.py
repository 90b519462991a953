"""``trio2o-api`` runs the reconciler itself every ``[reconcile]
interval`` seconds, with one worker and as the supervisor of several.

A server is made through the gateway, then the window a crash leaves is
made by hand: its routing row removed and a ``server_request`` row of
its project and pod left behind. The running gateway adopts the server
on its own; nobody runs ``trio2o-manage``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for
from tests.functional.nova.test_reconcile import SERVER_REQUEST
from tests.functional.nova.test_reconcile import routing
from tests.functional.nova.test_reconcile import set_times
from trio2o_core.db import api as db
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture
def periodic(gateway: GatewayProcess,
             request: pytest.FixtureRequest) -> Iterator[GatewayProcess]:
    """The gateway restarted with a reconciler every second and
    ``request.param`` workers; restarted without it afterwards."""
    gateway.restart({'reconcile': {'interval': '1', 'older_than': '0'},
                     'api': {'workers': str(request.param)}})
    try:
        yield gateway
    finally:
        gateway.restart({'reconcile': {'interval': '0'},
                         'api': {'workers': '1'}})


@pytest.mark.parametrize('periodic', [1, 2], indirect=True,
                         ids=['one-worker', 'two-workers'])
def test_the_gateway_adopts_a_server_by_itself(periodic, gateway_db,
                                               demo: Any,
                                               admin: Any) -> None:
    server = boot(demo, 'az1')
    try:
        row = routing(server.id)
        db.delete_routing(row.id)
        request_id = str(uuid.uuid4())
        pending = db.create_routing(request_id, SERVER_REQUEST, row.pod_id,
                                    row.project_id)
        created = datetime.datetime.fromisoformat(server.created_at)
        set_times(pending.id, created - datetime.timedelta(seconds=30))

        wait_for(lambda: routing(server.id) is not None,
                 'the server routed by the running gateway')

        adopted = routing(server.id)
        assert (adopted.status, adopted.pod_id, adopted.project_id) == (
            'active', row.pod_id, row.project_id)
        assert routing(request_id, SERVER_REQUEST) is None
        assert demo.compute.get(f'/servers/{server.id}').status_code == 200
    finally:
        admin.compute.delete_server(server.id, ignore_missing=True)
