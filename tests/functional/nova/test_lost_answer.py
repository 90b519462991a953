"""A create whose answer is lost after the pod acted leaves no orphan.

The fault proxy in front of pod 2 forwards the create to Nova and then
loses the answer (the connection dropped, or a proxy's 502/504). The
gateway cannot know the server's id, so it keeps the ``server_request``
row it wrote before the call; the reconciler then finds the server by
that row (pod, project, creation time) and routes it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.gateway import GatewayProcess

SERVER_REQUEST = 'server_request'


def _rows(gateway: GatewayProcess, resource_type: str) -> list[dict]:
    return json.loads(gateway.manage('routings', 'list', '--type',
                                     resource_type))


def _pod_servers(admin: Any, name: str) -> list[Any]:
    """The servers named ``name`` in pod 2, asked past the gateway."""
    return [server for server in admin.compute.servers(
        all_projects=True, name=f'^{name}$')]


def create_losing_answer(gateway: GatewayProcess, demo: Any, admin: Any,
                         lost_as: int | None = None) -> str:
    """Create a server in az2 through the gateway while pod 2's proxy
    loses the answer (``lost_as``: the proxy's error, None: the
    connection dropped); check the client's 503 and return the id of the
    server the pod made anyway (``admin`` asks pod 2 straight)."""
    name = f'lost-{uuid.uuid4().hex[:8]}'
    # the project's first create in az2 asks the pod for the flavor:
    # bind it first with one the pod refuses (an unknown image), so that
    # the lost answer is the create's own
    refused = demo.compute.post('/servers', json={'server': {
        'name': name, 'imageRef': str(uuid.uuid4()), 'flavorRef': FLAVOR_ID,
        'availability_zone': 'az2', 'networks': 'none'}},
        microversion='2.37', raise_exc=False)
    assert refused.status_code == 400, refused.text
    proxy = gateway.cloud.pods[1].proxy
    proxy.lose(lost_as)
    try:
        answer = demo.compute.post('/servers', json={'server': {
            'name': name, 'imageRef': IMAGE_ID, 'flavorRef': FLAVOR_ID,
            'availability_zone': 'az2', 'networks': 'none'}},
            microversion='2.37', raise_exc=False)
    finally:
        proxy.clear()
    assert answer.status_code == 503
    assert answer.json()['serviceUnavailable']['message'] == (
        'Pod Pod2 is unavailable.')
    made = wait_for(lambda: _pod_servers(admin, name), 'the server in pod 2')
    return str(made[0].id)


@pytest.mark.parametrize('lost_as', [None, 504, 502],
                         ids=['dropped', 'gateway-timeout', 'bad-gateway'])
def test_server_made_behind_a_lost_answer_is_adopted(
        gateway: GatewayProcess, demo: Any, pod2_admin: Any,
        lost_as: int | None) -> None:
    before = {row['top_id'] for row in _rows(gateway, SERVER_REQUEST)}
    server_id = create_losing_answer(gateway, demo, pod2_admin, lost_as)
    pending = [row for row in _rows(gateway, SERVER_REQUEST)
               if row['top_id'] not in before]
    assert len(pending) == 1

    # the reconciler takes a server once the second it was made in is
    # over; --older-than 0 settles every row
    def adopted() -> bool:
        json.loads(gateway.manage('routings', 'reconcile', '--older-than',
                                  '0'))
        return demo.compute.get(f'/servers/{server_id}',
                                raise_exc=False).status_code == 200

    wait_for(adopted, 'the server routed by the reconciler')
    assert pending[0]['top_id'] not in {
        row['top_id'] for row in _rows(gateway, SERVER_REQUEST)}
    pod2_admin.compute.delete_server(server_id)
