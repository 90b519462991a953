"""``trio2o-api`` runs the reconciler itself every ``[reconcile]
interval`` seconds, with one worker and as the supervisor of several.

A create's answer is lost on its way back from pod 2 (the pod made the
server, the gateway answered 503 and kept its ``server_request`` row);
the running gateway then routes the server on its own: nobody runs
``trio2o-manage``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.nova.conftest import wait_for
from tests.functional.nova.test_lost_answer import create_losing_answer
from tests.functional.nova.test_reconcile import SERVER
from tests.functional.nova.test_reconcile import routing
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture
def periodic(gateway: GatewayProcess,
             request: pytest.FixtureRequest) -> Iterator[GatewayProcess]:
    """The gateway restarted with a reconciler every second, settling
    rows older than 5 s (a younger one may belong to a call in flight),
    and ``request.param`` workers; restarted without it afterwards."""
    gateway.restart({'reconcile': {'interval': '1', 'older_than': '5'},
                     'api': {'workers': str(request.param)}})
    try:
        yield gateway
    finally:
        gateway.restart({'reconcile': {'interval': '0'},
                         'api': {'workers': '1'}})


@pytest.mark.parametrize('periodic', [1, 2], indirect=True,
                         ids=['one-worker', 'two-workers'])
def test_the_gateway_adopts_a_server_by_itself(
        periodic: GatewayProcess, gateway_db: None, demo: Any,
        pod2_admin: Any) -> None:
    server_id = create_losing_answer(periodic, demo, pod2_admin)
    try:
        wait_for(lambda: demo.compute.get(
            f'/servers/{server_id}', raise_exc=False).status_code == 200,
            'the server routed by the running gateway')
        adopted = routing(server_id, SERVER)
        assert (adopted.status, adopted.bottom_id) == ('active', server_id)
    finally:
        pod2_admin.compute.delete_server(server_id)
