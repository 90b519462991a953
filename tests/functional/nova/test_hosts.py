"""Services, hypervisors and quota classes (admin) through the gateway
against two real Nova pods: merged, with host names ``<host>@<pod>``."""

from __future__ import annotations

import uuid

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


def test_services_of_a_host_in_its_pod(admin, pod_admins):
    listed = admin.compute.get('/os-services').json()['services']
    host = next(s['host'] for s in listed
                if s['host'].endswith('@Pod2') and s['binary'] ==
                'nova-compute')

    found = admin.compute.get('/os-services',
                              params={'host': host}).json()['services']
    direct = pod_admins[1].compute.get('/os-services', params={
        'host': host.removesuffix('@Pod2')}).json()['services']

    assert [(s['host'], s['binary']) for s in found] == [
        (s['host'] + '@Pod2', s['binary']) for s in direct]
    assert admin.compute.get('/os-services', params={
        'host': 'nothing@Pod2'}).json()['services'] == []


def test_hypervisor_statistics_are_summed(admin, pod_admins):
    through = admin.compute.get('/os-hypervisors/statistics',
                                microversion='2.1').json()
    each = [pod.compute.get('/os-hypervisors/statistics',
                            microversion='2.1').json()[
        'hypervisor_statistics'] for pod in pod_admins]

    stats = through['hypervisor_statistics']
    assert stats['count'] == sum(s['count'] for s in each)
    assert stats['vcpus'] == sum(s['vcpus'] for s in each)
    assert stats['memory_mb'] == sum(s['memory_mb'] for s in each)


def test_hypervisor_shown_and_searched_in_its_pod(admin, pod_admins):
    listed = admin.compute.get('/os-hypervisors',
                               microversion='2.53').json()['hypervisors']
    pod2 = next(h for h in listed
                if h['hypervisor_hostname'].endswith('@Pod2'))

    shown = admin.compute.get(f"/os-hypervisors/{pod2['id']}",
                              microversion='2.53').json()['hypervisor']
    missing = admin.compute.get(f'/os-hypervisors/{uuid.uuid4()}',
                                microversion='2.53', raise_exc=False)
    found = admin.compute.get(
        f"/os-hypervisors/{pod2['hypervisor_hostname']}/search",
        microversion='2.1').json()['hypervisors']

    assert shown['id'] == pod2['id']
    assert shown['hypervisor_hostname'] == pod2['hypervisor_hostname']
    assert missing.status_code == 404
    assert [h['hypervisor_hostname'] for h in found] == [
        pod2['hypervisor_hostname']]


def test_quota_class_update_in_every_pod(admin, pod_admins):
    before = admin.compute.get('/os-quota-class-sets/default').json()[
        'quota_class_set']['metadata_items']
    try:
        updated = admin.compute.put('/os-quota-class-sets/default', json={
            'quota_class_set': {'metadata_items': before + 1}})

        assert updated.json()['quota_class_set']['metadata_items'] == (
            before + 1)
        for pod in pod_admins:
            assert pod.compute.get('/os-quota-class-sets/default').json()[
                'quota_class_set']['metadata_items'] == before + 1
    finally:
        admin.compute.put('/os-quota-class-sets/default', json={
            'quota_class_set': {'metadata_items': before}})


def test_legacy_hosts_in_the_users_zones_and_shown_in_their_pod(
        admin, pod_admins):
    listed = admin.compute.get('/os-hosts', microversion='2.1').json()[
        'hosts']
    in_az2 = admin.compute.get('/os-hosts', params={'zone': 'az2'},
                               microversion='2.1').json()['hosts']
    compute = next(h for h in in_az2 if h['service'] == 'compute')

    shown = admin.compute.get(f"/os-hosts/{compute['host_name']}",
                              microversion='2.1').json()['host']
    unknown = admin.compute.get('/os-hosts/nothing@Pod2', microversion='2.1',
                                raise_exc=False)

    assert {(h['host_name'][-5:], h['zone']) for h in listed
            if h['service'] == 'compute'} == {('@Pod1', 'az1'),
                                              ('@Pod2', 'az2')}
    assert in_az2 and all(h['zone'] == 'az2' for h in in_az2)
    assert compute['host_name'].endswith('@Pod2')
    assert {r['resource']['host'] for r in shown} == {compute['host_name']}
    assert unknown.status_code == 404
    assert unknown.json()['itemNotFound']['message'] == (
        "Host 'nothing' is not mapped to any cell")
