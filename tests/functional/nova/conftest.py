"""Fixtures of the compute gateway's tests against real Nova pods: SDK
connections through the gateway as the two ordinary users and the admin,
servers made in each pod's zone, bounded waits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest
from keystoneauth1 import session as ks_session
from openstack import exceptions as sdk_exc

from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.testing.gateway import GatewayProcess

#: an image the local cloud's Glance is seeded with, and a flavor of the pods
IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b'
FLAVOR_ID = '1'
#: the zone users see for pod 1 and pod 2
ZONES = ('az1', 'az2')
TIMEOUT = 90.0
#: seconds between two looks at a condition being waited for
POLL = 0.25

Connection = openstack.connection.Connection


@pytest.fixture(scope='session')
def demo(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the first ordinary user, through the gateway."""
    return gateway.connection(gateway.cloud.users[0])


@pytest.fixture(scope='session')
def alt(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the second ordinary user (another project)."""
    return gateway.connection(gateway.cloud.users[1])


@pytest.fixture(scope='session')
def admin(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the cloud admin, through the gateway."""
    return gateway.connection(gateway.cloud.admin)


@pytest.fixture(scope='session')
def admin_session(gateway: GatewayProcess) -> ks_session.Session:
    """A Keystone session of the admin, for the gateway's admin API."""
    return gateway.cloud.session(gateway.cloud.admin)


def routings(gateway: GatewayProcess, session: ks_session.Session,
             **filters: str) -> list[dict[str, Any]]:
    """The gateway's routing rows matching ``filters``."""
    response = session.get(gateway.url + '/admin/v1/routings',
                           params=filters)
    return response.json()['routings']


def wait_for(check: Callable[[], Any], what: str,
             timeout: float = TIMEOUT) -> Any:
    """Return ``check()`` once it is truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f'timed out waiting: {what}'
        time.sleep(POLL)


def wait_active(conn: Connection, server_id: str) -> Any:
    """Return the server once ACTIVE (fail at once on ERROR)."""
    def active() -> Any:
        server = conn.compute.get_server(server_id)
        assert server.status != 'ERROR', f'{server_id} went to ERROR'
        return server if server.status == 'ACTIVE' else None
    return wait_for(active, f'{server_id} ACTIVE')


def wait_gone(conn: Connection, server_id: str) -> None:
    """Return once ``conn`` (through the gateway or straight to a pod)
    answers 404 for the server."""
    def gone() -> bool:
        try:
            conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return True
        return False
    wait_for(gone, f'{server_id} gone')


def boot(conn: Connection, zone: str, **fields: Any) -> Any:
    """Create a server in ``zone`` (no network) and return it ACTIVE."""
    created = conn.compute.create_server(
        name=f'gw-{zone}-{uuid.uuid4().hex[:8]}', image_id=IMAGE_ID,
        flavor_id=FLAVOR_ID, networks='none', availability_zone=zone,
        **fields)
    return wait_active(conn, created.id)


@pytest.fixture(scope='module')
def pair(demo: Connection, admin: Connection) -> Iterator[list[Any]]:
    """One ACTIVE server of the demo user in each pod (az1, az2)."""
    servers = []
    try:
        for zone in ZONES:
            servers.append(boot(demo, zone))
        yield servers
    finally:
        for server in servers:
            admin.compute.delete_server(server.id, ignore_missing=True)


@pytest.fixture
def gateway_db(gateway: GatewayProcess) -> Iterator[None]:
    """``trio2o_core.db.api`` on the gateway's database for one test."""
    CONF.set_override('connection',
                      f'sqlite:///{gateway.workdir}/trio2o.sqlite',
                      group='database')
    db.reset_engine()
    yield
    db.reset_engine()
    CONF.clear_override('connection', group='database')
