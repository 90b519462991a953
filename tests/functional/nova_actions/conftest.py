"""Fixtures of the server-action tests through a real gateway in front of
two real Nova pods: clients as the demo user and the admin, a fresh server
in the zone of each pod, and bounded waits on its status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack.connection
import pytest

from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.gateway import GatewayProcess

#: an image the local cloud's Glance is seeded with, and a flavor of the pods
IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b'
FLAVOR_ID = '1'
#: a server id nobody has
MISSING_SERVER = 'c0ffee00-0000-4000-8000-000000000000'
#: the zones users see: one per pod
ZONES = ('az1', 'az2')
TIMEOUT = 90.0
#: seconds between two looks at a condition being waited for
POLL = 0.25


class CommandFailed(AssertionError):
    """An ``openstack`` command exited non-zero; holds its stderr."""


OSC = Callable[..., Any]


@pytest.fixture(scope='session')
def clouds_yaml(gateway: GatewayProcess,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clouds.yaml with ``trio2o`` (demo) and ``trio2o-admin`` through the
    gateway."""
    path = tmp_path_factory.mktemp('nova-actions') / 'clouds.yaml'
    gateway.write_clouds_yaml(path)
    return path


@pytest.fixture(scope='session')
def osc(clouds_yaml: Path) -> OSC:
    """``osc(*args, cloud='trio2o', version=None, output=False)``: run
    ``openstack``; with ``output``, ask for JSON and return it.

    :raises CommandFailed: the command failed (message: its stderr).
    """
    cli = shutil.which('openstack') or str(
        Path(sys.executable).with_name('openstack'))
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds_yaml))

    def run(*args: str, cloud: str = 'trio2o', version: str | None = None,
            output: bool = False) -> Any:
        command = [cli, '--os-cloud', cloud]
        if version:
            command += ['--os-compute-api-version', version]
        command += args
        if output:
            command += ['-f', 'json']
        proc = subprocess.run(command, capture_output=True, text=True,
                              env=env, timeout=180)
        if proc.returncode:
            raise CommandFailed(proc.stderr)
        return json.loads(proc.stdout) if output else None

    return run


@pytest.fixture(scope='session')
def demo(gateway: GatewayProcess) -> openstack.connection.Connection:
    """openstacksdk as the demo user, through the gateway."""
    return gateway.connection(gateway.cloud.users[0])


@pytest.fixture(scope='session')
def admin(gateway: GatewayProcess) -> openstack.connection.Connection:
    """openstacksdk as the cloud admin, through the gateway."""
    return gateway.connection(gateway.cloud.admin)


def wait_status(conn: openstack.connection.Connection, server_id: str,
                status: str, timeout: float = TIMEOUT) -> Any:
    """Return the server once it shows ``status``; fail after
    ``timeout`` seconds (or at once when it turns ERROR)."""
    def shown() -> Any:
        server = conn.compute.get_server(server_id)
        assert server.status != 'ERROR', f'{server_id} went to ERROR'
        return server if server.status == status else None
    return wait_for(shown, f'{server_id} {status}', timeout)


def wait_idle(conn: openstack.connection.Connection, server_id: str,
              timeout: float = TIMEOUT) -> Any:
    """Return the server once no task runs on it."""
    def idle() -> Any:
        server = conn.compute.get_server(server_id)
        return server if server.task_state is None else None
    return wait_for(idle, f'{server_id} without a task', timeout)


def action(conn: openstack.connection.Connection, server_id: str,
           body: Any, version: str = '2.1') -> Any:
    """POST an action body through the gateway; return the raw response."""
    return conn.compute.post(f'/servers/{server_id}/action', json=body,
                             microversion=version, raise_exc=False)


def fault_message(response: Any) -> str:
    """Return the message of a Nova fault body."""
    [fault] = response.json().values()
    return fault['message']


@pytest.fixture(params=ZONES)
def server(request: pytest.FixtureRequest,
           demo: openstack.connection.Connection,
           admin: openstack.connection.Connection) -> Iterator[Any]:
    """A new ACTIVE server of the demo user in one zone (each test runs
    once per pod); deleted afterwards (by the admin, whom locks do not
    stop)."""
    created = demo.compute.create_server(
        name=f'action-{request.param}-{uuid.uuid4().hex[:8]}',
        image_id=IMAGE_ID, flavor_id=FLAVOR_ID, networks='none',
        availability_zone=request.param)
    try:
        yield wait_status(demo, created.id, 'ACTIVE')
    finally:
        admin.compute.delete_server(created.id, ignore_missing=True)
