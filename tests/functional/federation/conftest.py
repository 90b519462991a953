"""Fixtures of the tests of federated pods: a local cloud whose Pod1
shares the top Keystone and whose Pod2 has a Keystone of its own, a
service provider of the top one (Keystone to Keystone), and the gateway
in front of both. They live as long as the tests of the package that
uses them, not the whole session: the cloud of the other tests is not
this one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest
import requests
from keystoneauth1 import session as ks_session

from tests.functional.nova.conftest import Connection
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.cloud import Pod
from trio2o_core.testing.gateway import GatewayProcess
from trio2o_core.testing.keystone import Credentials

#: keystonemiddleware's token cache in the gateway, seconds: what bounds
#: the use of a revoked token, through the exchange cache too
TOKEN_CACHE_TIME = 3


@pytest.fixture(scope='package')
def local_cloud(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LocalCloud]:
    """Keystone, Glance; Pod1 (shared) and Pod2 (federated: its own
    Keystone and Glance), each with Nova and Cinder."""
    cloud = LocalCloud(nova_pods=2, cinder_pods=2, glance=True,
                       computes_per_pod=1, federated_pods=1,
                       workdir=tmp_path_factory.mktemp('federated-cloud'))
    cloud.start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture(scope='package')
def gateway(local_cloud: LocalCloud,
            tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[GatewayProcess]:
    """trio2o-api in front of both pods, Pod2 registered as k2k."""
    proc = GatewayProcess(local_cloud, tmp_path_factory.mktemp('gateway'),
                          options={'keystone_authtoken': {
                              'token_cache_time': str(TOKEN_CACHE_TIME)}})
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope='package')
def pod2(local_cloud: LocalCloud) -> Pod:
    """The federated pod."""
    pod = local_cloud.pods[1]
    assert pod.keystone is not None and pod.service_provider
    return pod


@pytest.fixture(scope='package')
def pod2_admin(pod2: Pod, local_cloud: LocalCloud
               ) -> openstack.connection.Connection:
    """openstacksdk as the admin of Pod2's own Keystone, past the
    gateway."""
    assert pod2.keystone is not None
    return openstack.connection.Connection(
        session=ks_session.Session(auth=local_cloud.admin.auth(
            pod2.keystone.url)), region_name=pod2.region)


@pytest.fixture(scope='package')
def demo(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the first ordinary user, through the gateway."""
    return gateway.connection(gateway.cloud.users[0])


@pytest.fixture(scope='package')
def alt(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the second ordinary user (another project)."""
    return gateway.connection(gateway.cloud.users[1])


@pytest.fixture(scope='package')
def admin(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the cloud admin, through the gateway."""
    return gateway.connection(gateway.cloud.admin)


@pytest.fixture(scope='package')
def admin_session(gateway: GatewayProcess) -> ks_session.Session:
    """A Keystone session of the admin, for the gateway's admin API."""
    return gateway.cloud.session(gateway.cloud.admin)


def token(cloud: LocalCloud, user: Credentials) -> str:
    """A new project-scoped token of ``user`` from the top Keystone."""
    return str(cloud.session(user).get_token())


def gateway_get(gateway: GatewayProcess, token_id: str, path: str,
                **kwargs: Any) -> requests.Response:
    """``GET`` a compute path of the gateway with a raw token."""
    return requests.get(f'{gateway.url}/compute/v2.1{path}',
                        headers={'X-Auth-Token': token_id}, timeout=60,
                        **kwargs)
