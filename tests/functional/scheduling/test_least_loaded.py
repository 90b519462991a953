"""The ``least-loaded`` policy against the real Nova pods: the gateway
reads each pod's hypervisor statistics with its service credentials and
binds a new project to the pod with the most free RAM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest

from tests.functional.nova.conftest import boot
from tests.functional.scheduling.test_rebinding import ZONE
from tests.functional.scheduling.test_rebinding import Admin
from tests.functional.scheduling.test_rebinding import shared_zone  # noqa: F401
from trio2o_core.testing.gateway import GatewayProcess

Connection = openstack.connection.Connection


@pytest.fixture(scope='module')
def least_loaded(gateway: GatewayProcess) -> Iterator[GatewayProcess]:
    """The session's gateway with the ``least-loaded`` policy for the
    module (``binding`` again after)."""
    gateway.restart({'scheduler': {'policy': 'least-loaded'}})
    try:
        yield gateway
    finally:
        gateway.restart({'scheduler': {'policy': 'binding'}})


def free_ram(gateway: GatewayProcess, region: str) -> int:
    cloud = gateway.cloud
    pod = Connection(session=cloud.session(cloud.admin), region_name=region)
    return pod.compute.get('/os-hypervisors/statistics',
                           microversion='2.87').json()[
                               'hypervisor_statistics']['free_ram_mb']


def statistics_read(cloud: Any) -> list[int]:
    """How many times each Nova pod served its hypervisor statistics."""
    return [(cloud.workdir / f'nova-pod{pod.index}.log').read_text()
            .count('os-hypervisors/statistics') for pod in cloud.pods]


def test_a_new_binding_goes_to_the_pod_with_most_free_ram(
        least_loaded, shared_zone, alt, admin):  # noqa: F811
    cloud = least_loaded.cloud
    pod1 = Connection(session=cloud.session(cloud.admin),
                      region_name='Pod1')
    gw_admin = Admin(least_loaded)
    project_id = alt.current_project_id
    for binding in gw_admin.session.get(gw_admin.url + '/bindings', params={
            'project_id': project_id, 'az_name': ZONE}).json()['bindings']:
        gw_admin.session.delete(f"{gw_admin.url}/bindings/{binding['id']}")
    # servers straight in Pod1, past the gateway, until the pods' free RAM
    # differs (other tests may have left servers in either pod)
    ballast = [boot(pod1, cloud.pods[0].az)]
    try:
        free = {region: free_ram(least_loaded, region)
                for region in ('Pod1', 'Pod2')}
        if free['Pod1'] == free['Pod2']:
            ballast.append(boot(pod1, cloud.pods[0].az))
            free['Pod1'] = free_ram(least_loaded, 'Pod1')
        assert free['Pod1'] != free['Pod2'], free
        roomier = max(free, key=lambda region: free[region])

        before = statistics_read(cloud)
        server = boot(alt, ZONE)
        try:
            assert gw_admin.pod_of(server.id, 'server') == shared_zone[
                roomier], free
            # the choice read the pods' statistics, not routed counts
            after = statistics_read(cloud)
            assert all(a > b for a, b in zip(after, before, strict=True)
                       ), (before, after)
        finally:
            admin.compute.delete_server(server.id)
    finally:
        for made in ballast:
            pod1.compute.delete_server(made.id)
