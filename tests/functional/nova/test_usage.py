"""Usage reports (admin) through the gateway against two real Nova
pods: summed over the pods."""

from __future__ import annotations

import datetime

import openstack.connection
import pytest

from tests.functional.nova.conftest import Connection
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

    usage = admin.compute.get(f'/os-simple-tenant-usage/{project}',
                              params=query).json()['tenant_usage']
    listed = admin.compute.get('/os-simple-tenant-usage',
                               params=query).json()['tenant_usages']
    nobody = admin.compute.get('/os-simple-tenant-usage/nobody',
                               params=period()).json()
    each = [pod.compute.get(f'/os-simple-tenant-usage/{project}',
                            params=query).json()['tenant_usage']
            for pod in pod_admins]

    in_pods = {s['instance_id'] for one in each
               for s in one.get('server_usages', [])}
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
