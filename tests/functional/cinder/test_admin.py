"""Quota sets, services, pools and messages through the gateway over
both real Cinder pods, and the snapshot errors Cinder makes itself."""

from __future__ import annotations

import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.test_type_writes import direct
from tests.functional.cinder.test_type_writes import type_name  # noqa: F401
from tests.functional.nova.conftest import wait_for


def per_pod(gateway, admin, path: str, key: str) -> list:
    """``path``'s ``key`` in each pod, asked past the gateway."""
    return [direct(admin, pod, 'GET', path).json()[key]
            for pod in gateway.cloud.pods]


@pytest.fixture
def demo_quotas(gateway, admin, demo, volumes):
    """The demo project's quotas, reset in both pods afterwards."""
    path = f'os-quota-sets/{demo.current_project_id}'
    yield path
    for pod in gateway.cloud.pods:
        direct(admin, pod, 'DELETE', path)


def test_quotas_are_summed_over_the_projects_pods(gateway, admin, demo,
                                                   demo_quotas):
    shown = admin.block_storage.get('/' + demo_quotas).json()['quota_set']
    pods = per_pod(gateway, admin, demo_quotas, 'quota_set')
    assert shown['id'] == demo.current_project_id
    assert shown['volumes'] == sum(p['volumes'] for p in pods)
    assert shown['per_volume_gigabytes'] == pods[0]['per_volume_gigabytes']
    usage = admin.block_storage.get('/' + demo_quotas,
                                    params={'usage': 'true'}).json()
    used = [direct(admin, pod, 'GET', demo_quotas, params={
        'usage': 'true'}).json()['quota_set']['volumes']
        for pod in gateway.cloud.pods]
    assert usage['quota_set']['volumes']['in_use'] == sum(
        u['in_use'] for u in used) >= 2
    # the owner reads its own quotas too
    assert demo.block_storage.get('/' + demo_quotas).json() == {
        'quota_set': shown}
    defaults = admin.block_storage.get(f'/{demo_quotas}/defaults').json()
    assert defaults['quota_set']['volumes'] == sum(
        p['volumes'] for p in per_pod(gateway, admin,
                                      f'{demo_quotas}/defaults',
                                      'quota_set'))


def test_quota_update_and_reset_in_every_pod(gateway, admin, demo,
                                             demo_quotas):
    before = admin.block_storage.get('/' + demo_quotas).json()['quota_set']
    updated = admin.block_storage.put('/' + demo_quotas, json={
        'quota_set': {'snapshots': 7}})
    assert updated.status_code == 200
    assert updated.json()['quota_set']['snapshots'] == 7
    assert [p['snapshots'] for p in per_pod(
        gateway, admin, demo_quotas, 'quota_set')] == [7, 7]
    assert admin.block_storage.get('/' + demo_quotas).json()[
        'quota_set']['snapshots'] == 14
    refused = demo.block_storage.put('/' + demo_quotas, json={
        'quota_set': {'snapshots': 9}}, raise_exc=False)
    assert refused.status_code == 403
    assert admin.block_storage.delete('/' + demo_quotas).status_code == 200
    assert admin.block_storage.get('/' + demo_quotas).json()[
        'quota_set'] == before


def test_quota_update_refused_by_a_pod_is_undone(gateway, admin, demo,
                                                 demo_quotas):
    """Pod 2 refuses a limit below the project's usage there (its
    volume): pod 1 gets its old limit back."""
    first, second = gateway.cloud.pods
    assert direct(admin, first, 'PUT', demo_quotas, json={'quota_set': {
        'volumes': 30}}).status_code == 200
    direct(admin, second, 'PUT', demo_quotas, json={'quota_set': {
        'volumes': 20}})
    used = direct(admin, second, 'GET', demo_quotas, params={
        'usage': 'true'}).json()['quota_set']['volumes']['in_use']
    refused = admin.block_storage.put('/' + demo_quotas, json={
        'quota_set': {'volumes': used - 1}}, raise_exc=False)
    assert refused.status_code == 400
    assert 'Quota volumes limit must be equal or greater than existing ' \
        'resources.' in refused.json()['badRequest']['message']
    assert [p['volumes'] for p in per_pod(
        gateway, admin, demo_quotas, 'quota_set')] == [30, 20]


def test_quota_update_with_a_pod_down_is_made_nowhere(gateway, admin,
                                                      demo, demo_quotas):
    first, second = gateway.cloud.pods
    second.proxy.refuse()
    try:
        refused = admin.block_storage.put('/' + demo_quotas, json={
            'quota_set': {'snapshots': 5}}, raise_exc=False)
        assert refused.json() == {'serviceUnavailable': {
            'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
        assert direct(admin, first, 'GET', demo_quotas).json()[
            'quota_set']['snapshots'] != 5
        partial = admin.block_storage.get('/' + demo_quotas)
        assert partial.headers['X-Trio2o-Partial'] == 'Pod2'
    finally:
        second.proxy.clear()
        wait_for(lambda: 'X-Trio2o-Partial' not in admin.block_storage.get(
            '/' + demo_quotas).headers, 'pod 2 reachable again')


def test_services_and_pools_are_merged(gateway, admin, demo):
    services = admin.block_storage.get('/os-services').json()['services']
    pods = per_pod(gateway, admin, 'os-services', 'services')
    assert len(services) == sum(len(rows) for rows in pods)
    assert {s['zone'] for s in services
            if s['binary'] == 'cinder-volume'} == {'az1', 'az2'}
    volume_hosts = admin.block_storage.get('/os-services', params={
        'binary': 'cinder-volume'}).json()['services']
    assert {s['binary'] for s in volume_hosts} == {'cinder-volume'}
    assert len(volume_hosts) >= 2
    refused = demo.block_storage.get('/os-services', raise_exc=False)
    assert refused.status_code == 403
    pools = admin.block_storage.get('/scheduler-stats/get_pools',
                                    params={'detail': 'true'}).json()
    assert len(pools['pools']) == sum(len(rows) for rows in per_pod(
        gateway, admin, 'scheduler-stats/get_pools', 'pools'))
    assert all('capabilities' in pool for pool in pools['pools'])


def test_snapshot_of_a_null_volume_is_cinders_404(demo):
    response = demo.block_storage.post('/snapshots', json={'snapshot': {
        'volume_id': None}}, raise_exc=False)
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': 'Volume None could not be found.'}}


@pytest.mark.parametrize('collection', ['snapshots', 'volumes'])
def test_a_project_with_nothing_routed_gets_the_pods_400(
        gateway, alt, collection):
    params = {'sort_key': 'nope'}
    assert not alt.block_storage.get(f'/{collection}').json()[collection]
    through = alt.block_storage.get(f'/{collection}', params=params,
                                    raise_exc=False)
    pod = gateway.cloud.pods[0]
    straight = alt.session.get(
        f'{pod.volume_url}/{alt.current_project_id}/{collection}',
        params=params, raise_exc=False)
    assert through.status_code == straight.status_code == 400
    assert through.json() == straight.json()


def test_messages_are_merged_and_found_in_their_pod(
        gateway, admin, demo, alt, type_name):  # noqa: F811
    """A volume no backend can take leaves a message in its pod."""
    admin.block_storage.post('/types', json={'volume_type': {
        'name': type_name,
        'extra_specs': {'volume_backend_name': 'none-such'}}})
    made = demo.block_storage.post('/volumes', json={'volume': {
        'size': 1, 'volume_type': type_name, 'availability_zone': 'az2'}})
    volume_id = made.json()['volume']['id']
    try:
        wait_for(lambda: demo.block_storage.get(
            f'/volumes/{volume_id}').json()['volume']['status'] == 'error',
            'the volume in error')

        def message():
            listed = demo.block_storage.get(
                '/messages', microversion='3.5').json()['messages']
            return next((m for m in listed
                         if m.get('resource_uuid') == volume_id), None)
        found = wait_for(message, 'the message of the failed volume')
        path = f'/messages/{found["id"]}'
        shown = demo.block_storage.get(path, microversion='3.5').json()
        assert shown['message']['id'] == found['id']
        first = demo.block_storage.get('/messages', microversion='3.5',
                                       params={'limit': 1}).json()
        assert len(first['messages']) == 1
        hidden = alt.block_storage.get(path, microversion='3.5',
                                       raise_exc=False)
        assert hidden.status_code == 404
        assert demo.block_storage.delete(
            path, microversion='3.5').status_code == 204
        gone = demo.block_storage.get(path, microversion='3.5',
                                      raise_exc=False)
        assert gone.json() == {'itemNotFound': {
            'code': 404,
            'message': f'Message {found["id"]} could not be found.'}}
    finally:
        delete_volume(demo, volume_id)


def test_services_and_pools_without_a_pod_down(gateway, admin):
    first, second = gateway.cloud.pods
    own = len(direct(admin, first, 'GET', 'os-services').json()['services'])
    second.proxy.refuse()
    try:
        listed = admin.block_storage.get('/os-services')
        assert listed.headers['X-Trio2o-Partial'] == 'Pod2'
        assert len(listed.json()['services']) == own
        assert {s['zone'] for s in listed.json()['services']} == {'az1'}
        pools = admin.block_storage.get('/scheduler-stats/get_pools')
        assert pools.headers['X-Trio2o-Partial'] == 'Pod2'
    finally:
        second.proxy.clear()
        wait_for(lambda: 'X-Trio2o-Partial' not in admin.block_storage.get(
            '/os-services').headers, 'pod 2 reachable again')


def _volume_services(gateway, admin) -> list[dict]:
    """Each pod's volume service, asked past the gateway."""
    return [next(s for s in rows if s['binary'] == 'cinder-volume')
            for rows in per_pod(gateway, admin, 'os-services', 'services')]


def test_freeze_and_thaw_in_the_pod_running_the_host(gateway, admin, demo):
    first, second = _volume_services(gateway, admin)
    target = {'host': second['host']}
    refused = demo.block_storage.put('/os-services/freeze', json=target,
                                     raise_exc=False)
    assert refused.status_code == 403
    try:
        assert admin.block_storage.put('/os-services/freeze',
                                       json=target).status_code == 200
        frozen = _volume_services(gateway, admin)
        assert [s['frozen'] for s in frozen] == [False, True]
    finally:
        thawed = admin.block_storage.put('/os-services/thaw', json=target)
    assert thawed.status_code == 200
    assert [s['frozen'] for s in _volume_services(gateway, admin)] == [
        False, False]


@pytest.mark.parametrize('action, body', [
    ('enable', {'host': 'invalid_host', 'binary': 'cinder-volume'}),
    ('freeze', {'host': 'invalid_host'}),
    ('disable-log-reason', {'host': 'invalid_host', 'binary': 'x',
                            'disabled_reason': None}),
])
def test_service_write_errors_are_the_pods(gateway, admin, action, body):
    through = admin.block_storage.put(f'/os-services/{action}', json=body,
                                      raise_exc=False)
    straight = direct(admin, gateway.cloud.pods[0], 'PUT',
                      f'os-services/{action}', json=body)
    assert through.status_code == straight.status_code >= 400
    assert through.json() == straight.json()
