"""The admin API behind a real keystonemiddleware and a real Keystone."""

from __future__ import annotations

import requests

from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess


def _token(cloud: LocalCloud, user) -> str:
    return cloud.session(user).get_token()


def test_admin_lists_the_registered_pods(local_cloud: LocalCloud,
                                         gateway: GatewayProcess) -> None:
    token = _token(local_cloud, local_cloud.admin)
    response = requests.get(gateway.url + '/admin/v1/pods',
                            headers={'X-Auth-Token': token}, timeout=30)
    assert response.status_code == 200, response.text
    pods = {pod['name']: pod for pod in response.json()['pods']}
    assert set(pods) == {pod.region for pod in local_cloud.pods}
    assert pods['Pod1']['az_name'] == 'az1'
    assert pods['Pod1']['pod_az_name'] == 'pod1-zone'


def test_admin_creates_and_deletes_a_pod(local_cloud: LocalCloud,
                                         gateway: GatewayProcess) -> None:
    headers = {'X-Auth-Token': _token(local_cloud, local_cloud.admin)}
    created = requests.post(
        gateway.url + '/admin/v1/pods', headers=headers, timeout=30,
        json={'pod': {'name': 'PodSpare', 'az_name': 'az9',
                      'enabled': False}})
    assert created.status_code == 201, created.text
    pod_id = created.json()['pod']['id']
    gone = requests.delete(f'{gateway.url}/admin/v1/pods/{pod_id}',
                           headers=headers, timeout=30)
    assert gone.status_code == 204
    again = requests.get(f'{gateway.url}/admin/v1/pods/{pod_id}',
                         headers=headers, timeout=30)
    assert again.status_code == 404
    assert 'itemNotFound' in again.json()


def test_ordinary_user_is_forbidden(local_cloud: LocalCloud,
                                    gateway: GatewayProcess) -> None:
    token = _token(local_cloud, local_cloud.users[0])
    response = requests.get(gateway.url + '/admin/v1/pods',
                            headers={'X-Auth-Token': token}, timeout=30)
    assert response.status_code == 403
    assert response.json()['forbidden']['message'] == (
        "Policy doesn't allow trio2o:admin:pods:list to be performed.")


def test_missing_forged_and_revoked_tokens_are_refused(
        local_cloud: LocalCloud, gateway: GatewayProcess) -> None:
    url = gateway.url + '/admin/v1/pods'
    assert requests.get(url, timeout=30).status_code == 401
    forged = requests.get(url, headers={'X-Auth-Token': 'gAAAAAforged'},
                          timeout=30)
    assert forged.status_code == 401
    assert 'Keystone uri=' in forged.headers.get('WWW-Authenticate', '')

    # a token revoked before the gateway saw it (once validated, a token is
    # cached by keystonemiddleware for token_cache_time, as in any
    # OpenStack service)
    admin = local_cloud.session(local_cloud.admin)
    token = _token(local_cloud, local_cloud.admin)
    admin.delete('/auth/tokens', endpoint_filter={
        'service_type': 'identity', 'interface': 'public'},
        headers={'X-Subject-Token': token})
    revoked = requests.get(url, headers={'X-Auth-Token': token}, timeout=30)
    assert revoked.status_code == 401


def test_version_documents_need_no_token(gateway: GatewayProcess) -> None:
    for path, status in (('/admin', 200), ('/compute', 200),
                         ('/compute/v2.1', 200), ('/image/versions', 200),
                         ('/volume/', 300)):
        response = requests.get(gateway.url + path, timeout=30)
        assert response.status_code == status, (path, response.text)
        assert gateway.url in response.text
