"""A pod that stops answering: the list still answers (partial, or with
UNKNOWN records from 2.69) and a call to a server in it answers 503."""

from __future__ import annotations

import pytest

from tests.functional.nova.conftest import wait_for


@pytest.fixture
def pod2_down(gateway, demo, pair):
    """Pod 2 refuses connections for the test; afterwards it is back and
    the gateway reaches it again."""
    proxy = gateway.cloud.pods[1].proxy
    proxy.refuse()
    try:
        yield gateway.cloud.pods[1]
    finally:
        proxy.clear()
        wait_for(lambda: demo.compute.get(
            f'/servers/{pair[1].id}', raise_exc=False).status_code == 200,
            'pod 2 reachable again')


def test_list_answers_without_the_down_pod(demo, pair, pod2_down):
    response = demo.compute.get('/servers/detail', microversion='2.68')

    assert response.status_code == 200
    listed = [s['id'] for s in response.json()['servers']]
    assert pair[0].id in listed and pair[1].id not in listed
    assert response.headers['X-Trio2o-Partial'] == 'Pod2'


def test_list_shows_unknown_records_from_2_69(demo, pair, pod2_down):
    response = demo.compute.get('/servers/detail', microversion='2.69')

    servers = {s['id']: s for s in response.json()['servers']}
    assert response.status_code == 200
    assert servers[pair[1].id]['status'] == 'UNKNOWN'
    assert set(servers[pair[1].id]) == {'id', 'status', 'tenant_id',
                                        'created', 'links'}
    assert servers[pair[0].id]['status'] == 'ACTIVE'


def test_server_in_the_down_pod_is_503(demo, pair, pod2_down):
    response = demo.compute.get(f'/servers/{pair[1].id}', raise_exc=False)

    assert response.status_code == 503
    assert response.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
    assert demo.compute.get(f'/servers/{pair[0].id}').status_code == 200
