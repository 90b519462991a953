"""Projects are isolated through the gateway as in one Nova.

The second user's project holds the first user's ids (servers in both
pods, a server group) and tries every way in: read, update, act, delete,
list, page with the id as a marker, sub-resources. Each answer is Nova's
for an unknown id, and afterwards the servers, their routing rows and
the group are untouched. A non-admin is refused by the admin API and by
admin-only calls. Last, the gateway's log of the whole run so far holds
no token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.nova.conftest import routings
from trio2o_core.testing.gateway import GatewayProcess

MICROVERSION = '2.64'


@pytest.fixture(scope='module')
def group(demo: Any) -> Iterator[dict[str, Any]]:
    """A server group of the first user's project."""
    response = demo.compute.post('/os-server-groups', json={
        'server_group': {'name': f'g-{uuid.uuid4().hex[:8]}',
                         'policy': 'affinity'}},
        microversion=MICROVERSION)
    made = response.json()['server_group']
    yield made
    demo.compute.delete(f"/os-server-groups/{made['id']}",
                        raise_exc=False)


def _status(response: Any) -> tuple[int, Any]:
    return response.status_code, (response.json() if response.content
                                  else None)


def test_another_projects_servers_are_unknown(gateway, admin_session, demo,
                                              alt, pair):
    before = routings(gateway, admin_session, resource_type='server')
    for server in pair:
        missing = {'itemNotFound': {
            'code': 404,
            'message': f'Instance {server.id} could not be found.'}}
        path = f'/servers/{server.id}'
        attempts = [
            alt.compute.get(path, raise_exc=False),
            alt.compute.put(path, json={'server': {'name': 'mine'}},
                            raise_exc=False),
            alt.compute.post(f'{path}/action', json={'os-stop': None},
                             raise_exc=False),
            alt.compute.post(f'{path}/action', json={'forceDelete': None},
                             raise_exc=False),
            alt.compute.get(f'{path}/metadata', raise_exc=False),
            alt.compute.put(f'{path}/metadata', json={'metadata': {}},
                            raise_exc=False),
            alt.compute.get(f'{path}/os-interface', raise_exc=False),
            alt.compute.delete(path, raise_exc=False),
        ]
        for response in attempts:
            status, body = _status(response)
            assert status == 404, (response.request.method,
                                   response.url, body)
        assert _status(attempts[0]) == (404, missing)

        listed = alt.compute.get('/servers/detail').json()['servers']
        assert server.id not in {s['id'] for s in listed}
        paged = alt.compute.get('/servers', params={'marker': server.id},
                                raise_exc=False)
        assert _status(paged) == (400, {'badRequest': {
            'code': 400, 'message': f'marker [{server.id}] not found'}})

    after = routings(gateway, admin_session, resource_type='server')
    assert after == before
    for server in pair:
        shown = demo.compute.get(f'/servers/{server.id}').json()['server']
        assert shown['status'] == 'ACTIVE'


def test_another_projects_server_group_is_unknown(demo, alt, group):
    path = f"/os-server-groups/{group['id']}"
    for response in (alt.compute.get(path, raise_exc=False),
                     alt.compute.delete(path, raise_exc=False)):
        assert response.status_code == 404
    listed = alt.compute.get('/os-server-groups').json()['server_groups']
    assert group['id'] not in {g['id'] for g in listed}
    assert demo.compute.get(path).status_code == 200


def test_another_users_keypair_is_unknown(demo, alt):
    name = f'k-{uuid.uuid4().hex[:8]}'
    demo.compute.create_keypair(name=name)
    try:
        response = alt.compute.get(f'/os-keypairs/{name}', raise_exc=False)
        assert response.status_code == 404
        deleted = alt.compute.delete(f'/os-keypairs/{name}',
                                     raise_exc=False)
        assert deleted.status_code == 404
        assert demo.compute.get(f'/os-keypairs/{name}').status_code == 200
    finally:
        demo.compute.delete_keypair(name, ignore_missing=True)


def test_a_member_is_refused_admin_calls(gateway, demo):
    session = gateway.cloud.session(gateway.cloud.users[0])
    admin_api = session.get(f'{gateway.url}/admin/v1/pods',
                            raise_exc=False)
    assert admin_api.status_code == 403
    every_project = demo.compute.get('/servers', params={'all_tenants': 1},
                                     raise_exc=False)
    assert every_project.status_code == 403
    hypervisors = demo.compute.get('/os-hypervisors', raise_exc=False)
    assert hypervisors.status_code == 403


def test_no_token_is_logged(gateway: GatewayProcess, demo, alt,
                            admin_session) -> None:
    # the tokens the session-wide connections have used all along
    tokens = {demo.auth_token, alt.auth_token, admin_session.get_token()}
    log = (gateway.workdir / 'trio2o-api.log').read_text()
    assert log, 'the gateway wrote no log'
    leaked = [line for line in log.splitlines()
              if any(token in line for token in tokens)]
    assert leaked == []
