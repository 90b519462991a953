"""A snapshot or backup create whose answer is lost after the pod acted
leaves no orphan: the gateway keeps its ``<type>_request`` row and the
reconciler routes what the pod made by that row (pod, project, creation
time)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_gone
from tests.functional.cinder.conftest import wait_status
from tests.functional.nova.conftest import wait_for


def _in_pod2(gateway: Any, admin: Any, collection: str,
             name: str) -> list[dict[str, Any]]:
    """The records named ``name`` in pod 2, asked past the gateway."""
    pod = gateway.cloud.pods[1]
    body = admin.session.get(
        f'{pod.volume_url}/{admin.current_project_id}/{collection}/detail',
        params={'all_tenants': '1', 'name': name}).json()
    return [r for r in body[collection] if r['name'] == name]


@pytest.mark.parametrize('collection, key', [
    ('snapshots', 'snapshot'), ('backups', 'backup')])
def test_made_behind_a_lost_answer_is_adopted(gateway, demo, admin,
                                              admin_session, volumes,
                                              collection, key):
    request_type = f'{key}_request'
    before = {row['top_id'] for row in routing_rows(
        gateway, admin_session, resource_type=request_type)}
    name = f'lost-{uuid.uuid4().hex[:8]}'
    proxy = gateway.cloud.pods[1].proxy
    proxy.lose()
    try:
        answer = demo.block_storage.post(f'/{collection}', json={key: {
            'volume_id': volumes[1]['id'], 'name': name}}, raise_exc=False)
    finally:
        proxy.clear()
    assert answer.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
    pending = [row for row in routing_rows(
        gateway, admin_session, resource_type=request_type)
        if row['top_id'] not in before]
    assert len(pending) == 1
    made = wait_for(lambda: _in_pod2(gateway, admin, collection, name),
                    f'the {key} in pod 2')[0]['id']
    path = f'/{collection}/{made}'

    # creation times are told to the second: the reconciler takes the
    # record once its second is over
    def adopted() -> bool:
        json.loads(gateway.manage('routings', 'reconcile', '--older-than',
                                  '0'))
        return demo.block_storage.get(path,
                                      raise_exc=False).status_code == 200

    wait_for(adopted, f'the {key} routed by the reconciler')
    [row] = routing_rows(gateway, admin_session, top_id=made)
    assert (row['resource_type'], row['pod_name'], row['status']) == (
        key, 'Pod2', 'active')
    assert pending[0]['top_id'] not in {row['top_id'] for row in routing_rows(
        gateway, admin_session, resource_type=request_type)}
    wait_status(demo, path, key)
    wait_status(demo, f'/volumes/{volumes[1]["id"]}', 'volume')
    demo.block_storage.delete(path)
    wait_gone(demo, path)
