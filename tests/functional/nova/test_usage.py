"""Usage reports (admin) through the gateway against two real Nova
pods: summed over the pods."""

from __future__ import annotations

import datetime

import openstack.connection
import pytest

from tests.functional.nova.conftest import Connection
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='module')
def pod_admins(gateway: GatewayProcess) -> list[Connection]:
    """openstacksdk as the admin straight to each pod."""
    cloud = gateway.cloud
    return [openstack.connection.Connection(
        session=cloud.session(cloud.admin), region_name=region)
        for region in ('Pod1', 'Pod2')]


def period() -> dict[str, str]:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return {'start': (now - datetime.timedelta(days=1)).isoformat(),
            'end': (now + datetime.timedelta(days=1)).isoformat()}


def test_a_project_s_usage_is_its_usage_in_every_pod(admin, demo, pair,
                                                    pod_admins):
    project = demo.current_project_id
    query = {**period(), 'detailed': '1'}

    def read() -> tuple[dict, list, set[str]] | None:
        """The gateway's usage and list, and the servers the pods count,
        once the pods count the same servers before and after (servers
        of earlier tests may still be starting or stopping)."""
        before = pods_servers()
        usage = admin.compute.get(f'/os-simple-tenant-usage/{project}',
                                  params=query).json()['tenant_usage']
        listed = admin.compute.get('/os-simple-tenant-usage',
                                   params=query).json()['tenant_usages']
        return (usage, listed, before) if pods_servers() == before else None

    def pods_servers() -> set[str]:
        each = [pod.compute.get(f'/os-simple-tenant-usage/{project}',
                                params=query).json()['tenant_usage']
                for pod in pod_admins]
        return {s['instance_id'] for one in each
                for s in one.get('server_usages', [])}

    usage, listed, in_pods = wait_for(read, 'the pods counting steadily')
    nobody = admin.compute.get('/os-simple-tenant-usage/nobody',
                               params=period()).json()

    assert {s['instance_id'] for s in usage['server_usages']} == in_pods
    assert {pair[0].id} <= in_pods
    assert usage['total_hours'] == pytest.approx(
        sum(s['hours'] for s in usage['server_usages']))
    mine = [u for u in listed if u['tenant_id'] == project]
    assert len(mine) == 1
    assert {s['instance_id'] for s in mine[0]['server_usages']} == in_pods
    assert nobody == {'tenant_usage': {}}


def test_audit_log_counts_every_pod_s_hosts(admin, pod_admins):
    merged = admin.compute.get('/os-instance_usage_audit_log').json()[
        'instance_usage_audit_logs']
    each = [pod.compute.get('/os-instance_usage_audit_log').json()[
        'instance_usage_audit_logs'] for pod in pod_admins]
    before = admin.compute.get(
        '/os-instance_usage_audit_log/2026-01-01 00:00:00', raise_exc=False)

    assert merged['num_hosts'] == sum(log['num_hosts'] for log in each)
    assert sorted(merged['hosts_not_run']) == sorted(
        [f'{host}@Pod1' for host in each[0]['hosts_not_run']]
        + [f'{host}@Pod2' for host in each[1]['hosts_not_run']])
    done, hosts = merged['num_hosts_done'], merged['num_hosts']
    share = 'ALL' if done == hosts else f'{done} of {hosts}'
    assert merged['overall_status'] == (
        f"{share} hosts done. {merged['total_errors']} errors.")
    assert before.status_code == 200
    assert 'instance_usage_audit_log' in before.json()
