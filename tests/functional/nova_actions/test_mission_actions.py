"""Every mission action through the gateway, on a server in each pod,
driven by python-openstackclient (openstacksdk where the CLI has no
command): the state before and after, and the 409 and 404 answers."""

from __future__ import annotations

from typing import Any

import openstack.connection
import pytest

from tests.functional.nova.conftest import wait_gone
from trio2o_core.testing.gateway import GatewayProcess

from .conftest import MISSING_SERVER
from .conftest import OSC
from .conftest import CommandFailed
from .conftest import action
from .conftest import fault_message
from .conftest import wait_status

Conn = openstack.connection.Connection


def conflict(state: str, label: str, server_id: str) -> str:
    return (f"Cannot '{label}' instance {server_id} while it is in "
            f'vm_state {state}')


def test_stop_start(osc: OSC, demo: Conn, server: Any) -> None:
    with pytest.raises(CommandFailed, match=conflict('active', 'start',
                                                     server.id)):
        osc('server', 'start', server.id)
    osc('server', 'stop', server.id)
    wait_status(demo, server.id, 'SHUTOFF')
    with pytest.raises(CommandFailed, match=conflict('stopped', 'stop',
                                                     server.id)):
        osc('server', 'stop', server.id)
    osc('server', 'start', server.id)
    wait_status(demo, server.id, 'ACTIVE')


@pytest.mark.parametrize('key', ['os-start', 'os-stop'])
def test_start_stop_unknown_server(demo: Conn, key: str) -> None:
    response = action(demo, MISSING_SERVER, {key: None})
    assert response.status_code == 404
    assert fault_message(response) == (
        f'Instance {MISSING_SERVER} has no mapping to a cell.')


def test_lock_unlock(osc: OSC, demo: Conn, server: Any) -> None:
    osc('server', 'lock', '--reason', 'maintenance', server.id,
        version='2.73')
    shown = osc('server', 'show', server.id, version='2.73', output=True)
    assert (shown['locked'], shown['locked_reason']) == (True,
                                                        'maintenance')
    with pytest.raises(CommandFailed,
                       match=f'Instance {server.id} is locked'):
        osc('server', 'pause', server.id)
    osc('server', 'unlock', server.id)
    shown = osc('server', 'show', server.id, version='2.73', output=True)
    assert shown['locked'] is False
    osc('server', 'pause', server.id)
    wait_status(demo, server.id, 'PAUSED')


def test_lock_reason_needs_2_73_and_a_known_server(demo: Conn,
                                                   server: Any) -> None:
    response = action(demo, server.id, {'lock': {'locked_reason': ''}},
                      version='2.73')
    assert response.status_code == 400
    assert fault_message(response) == (
        "Invalid input for field/attribute locked_reason. Value: . '' "
        'should be non-empty')
    response = action(demo, MISSING_SERVER, {'lock': None})
    assert response.status_code == 404
    assert fault_message(response) == (
        f'Instance {MISSING_SERVER} could not be found.')


def test_pause_unpause(osc: OSC, demo: Conn, server: Any) -> None:
    with pytest.raises(CommandFailed, match=conflict('active', 'unpause',
                                                     server.id)):
        osc('server', 'unpause', server.id)
    osc('server', 'pause', server.id)
    wait_status(demo, server.id, 'PAUSED')
    with pytest.raises(CommandFailed, match=conflict('paused', 'pause',
                                                     server.id)):
        osc('server', 'pause', server.id)
    osc('server', 'unpause', server.id)
    wait_status(demo, server.id, 'ACTIVE')


def test_suspend_resume(osc: OSC, demo: Conn, server: Any) -> None:
    with pytest.raises(CommandFailed, match=conflict('active', 'resume',
                                                     server.id)):
        osc('server', 'resume', server.id)
    osc('server', 'suspend', server.id)
    wait_status(demo, server.id, 'SUSPENDED')
    with pytest.raises(CommandFailed, match=conflict('suspended',
                                                     'suspend', server.id)):
        osc('server', 'suspend', server.id)
    osc('server', 'resume', server.id)
    wait_status(demo, server.id, 'ACTIVE')


def test_shelve_unshelve(osc: OSC, demo: Conn, server: Any) -> None:
    # the CLI skips servers that are not shelved: ask the API directly
    response = action(demo, server.id, {'unshelve': None})
    assert response.status_code == 409
    assert fault_message(response) == conflict('active', 'unshelve',
                                               server.id)
    osc('server', 'shelve', server.id)
    # the pods offload at once (shelved_offload_time = 0)
    wait_status(demo, server.id, 'SHELVED_OFFLOADED')
    osc('server', 'unshelve', server.id)
    wait_status(demo, server.id, 'ACTIVE')


def test_shelve_offload(osc: OSC, demo: Conn, admin: Conn,
                        server: Any) -> None:
    response = action(demo, server.id, {'shelveOffload': None})
    assert response.status_code == 403
    assert fault_message(response) == (
        "Policy doesn't allow os_compute_api:os-shelve:shelve_offload to "
        'be performed.')
    osc('server', 'shelve', server.id)
    wait_status(demo, server.id, 'SHELVED_OFFLOADED')
    response = action(admin, server.id, {'shelveOffload': None})
    assert response.status_code == 409
    assert fault_message(response) == conflict(
        'shelved_offloaded', 'shelveOffload', server.id)


def test_unshelve_into_a_zone(osc: OSC, demo: Conn, server: Any) -> None:
    zone = server.availability_zone
    other = 'az2' if zone == 'az1' else 'az1'
    osc('server', 'shelve', server.id)
    wait_status(demo, server.id, 'SHELVED_OFFLOADED')
    with pytest.raises(CommandFailed, match=(
            f'Unshelving server {server.id} to availability zone {other} '
            'is not supported: that zone is served by another pod.')):
        osc('server', 'unshelve', '--availability-zone', other, server.id,
            version='2.77')
    osc('server', 'unshelve', '--availability-zone', zone, server.id,
        version='2.77')
    assert wait_status(demo, server.id,
                       'ACTIVE').availability_zone == zone


def test_migrate(osc: OSC, demo: Conn, admin: Conn, server: Any) -> None:
    with pytest.raises(CommandFailed, match=(
            "Policy doesn't allow os_compute_api:os-migrate-server:migrate "
            'to be performed.')):
        osc('server', 'migrate', server.id)
    before = admin.compute.get_server(server.id)
    osc('server', 'migrate', server.id, cloud='trio2o-admin')
    moved = wait_status(admin, server.id, 'VERIFY_RESIZE')
    assert moved.compute_host != before.compute_host
    assert moved.availability_zone == before.availability_zone
    osc('server', 'migrate', 'confirm', server.id, cloud='trio2o-admin')
    wait_status(admin, server.id, 'ACTIVE')
    response = action(admin, server.id, {'migrate': {'host': 'nowhere'}},
                      version='2.56')
    assert response.status_code in (400, 404)
    assert 'nowhere' in fault_message(response)
    # a host as the gateway names them reaches the pod under its own name
    named = action(admin, server.id, {'migrate': {'host': 'nowhere@Pod1'}},
                   version='2.56')
    assert named.status_code == response.status_code
    assert fault_message(named) == fault_message(response)


def test_migrate_paused_server_is_409(osc: OSC, demo: Conn, admin: Conn,
                                      server: Any) -> None:
    osc('server', 'pause', server.id)
    wait_status(demo, server.id, 'PAUSED')
    with pytest.raises(CommandFailed, match=conflict('paused', 'migrate',
                                                     server.id)):
        osc('server', 'migrate', server.id, cloud='trio2o-admin')


def test_force_delete(gateway: GatewayProcess, demo: Conn, admin: Conn,
                      server: Any) -> None:
    demo.compute.lock_server(server.id)
    response = action(demo, server.id, {'forceDelete': None})
    assert response.status_code == 409
    assert fault_message(response) == f'Instance {server.id} is locked'
    demo.compute.unlock_server(server.id)
    # no CLI command and no proxy method: the SDK's server resource
    demo.compute.get_server(server.id).force_delete(demo.compute)
    wait_gone(demo, server.id)
    routed = admin.session.get(
        f'{gateway.url}/admin/v1/routings',
        params={'resource_type': 'server'}).json()['routings']
    assert {row['top_id']: row['status'] for row in routed}[
        server.id] == 'deleted'
    response = action(demo, server.id, {'forceDelete': None})
    assert response.status_code == 404
    assert fault_message(response) == (
        f'Instance {server.id} could not be found.')


def test_trigger_crash_dump(osc: OSC, demo: Conn, server: Any) -> None:
    osc('server', 'dump', 'create', server.id, version='2.17')
    assert wait_status(demo, server.id, 'ACTIVE').status == 'ACTIVE'
    osc('server', 'stop', server.id)
    wait_status(demo, server.id, 'SHUTOFF')
    with pytest.raises(CommandFailed, match=conflict(
            'stopped', 'trigger_crash_dump', server.id)):
        osc('server', 'dump', 'create', server.id, version='2.17')


def test_trigger_crash_dump_range_and_unknown_server(demo: Conn,
                                                     server: Any) -> None:
    response = action(demo, server.id, {'trigger_crash_dump': None},
                      version='2.16')
    assert response.status_code == 404
    assert fault_message(response) == 'The resource could not be found.'
    response = action(demo, MISSING_SERVER, {'trigger_crash_dump': None},
                      version='2.17')
    assert response.status_code == 404
    assert fault_message(response) == (
        f'Instance {MISSING_SERVER} has no mapping to a cell.')


def test_faults_made_by_the_gateway(demo: Conn, server: Any) -> None:
    response = action(demo, server.id, {'os-teleport': None})
    assert (response.status_code, response.json()) == (400, {
        'badRequest': {'code': 400,
                       'message': 'There is no such action: os-teleport'}})
    response = action(demo, server.id, {'pause': None, 'unpause': None})
    assert fault_message(response) == 'Malformed request body'
    response = action(demo, server.id, {'reboot': {'type': 'SOFTX'}})
    assert fault_message(response) == (
        "Invalid input for field/attribute type. Value: SOFTX. 'SOFTX' is "
        "not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']")
