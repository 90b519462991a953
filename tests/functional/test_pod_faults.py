"""Pod faults through the fault proxy in front of each real pod: a slow
pod, a pod answering 5xx, the breaker (flapping, marked down, up again),
scheduling around a down pod, and one project kept off another's
volumes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import admin_session  # noqa: F401
from tests.functional.nova.conftest import alt  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
from tests.functional.nova.conftest import pair  # noqa: F401
from tests.functional.nova.conftest import routings
from tests.functional.nova.conftest import wait_for
from trio2o_core.api.faults import NOVA_UNEXPECTED

#: the session gateway's [pods] options
TIMEOUT = 5
RETRY_DOWN_AFTER = 2
DOWN_AFTER_FAILURES = 3


@pytest.fixture
def pod2(gateway: Any, demo: Any, pair: Any  # noqa: F811
         ) -> Iterator[Any]:
    """Pod 2's fault proxy; afterwards it passes again and the gateway
    reaches pod 2 again."""
    proxy = gateway.cloud.pods[1].proxy
    try:
        yield proxy
    finally:
        proxy.clear()
        wait_for(lambda: demo.compute.get(
            f'/servers/{pair[1].id}', raise_exc=False).status_code == 200,
            'pod 2 reachable again')


def _get(conn: Any, server: Any) -> Any:
    return conn.compute.get(f'/servers/{server.id}', raise_exc=False)


def test_slow_pod_is_left_out_within_the_timeout(demo, pair,  # noqa: F811
                                                 pod2):
    pod2.delay(TIMEOUT + 2)

    started = time.monotonic()
    response = demo.compute.get('/servers', microversion='2.68')
    took = time.monotonic() - started

    assert response.status_code == 200
    listed = [s['id'] for s in response.json()['servers']]
    assert pair[0].id in listed and pair[1].id not in listed
    assert response.headers['X-Trio2o-Partial'] == 'Pod2'
    assert took < TIMEOUT + 4
    response = _get(demo, pair[1])
    assert response.status_code == 503
    assert response.json()['serviceUnavailable']['message'] == (
        'Pod Pod2 is unavailable.')


def test_pod_5xx_is_novas_generic_500(demo, pair, pod2):  # noqa: F811
    pod2.fail(500)

    response = _get(demo, pair[1])

    assert response.status_code == 500
    assert response.json() == {'computeFault': {
        'code': 500, 'message': NOVA_UNEXPECTED}}
    for leak in ('Pod2', 'injected', 'PodFailed', 'Error:'):
        assert leak not in response.text


def test_breaker_marks_down_only_after_failures_in_a_row(
        demo, pair, pod2):  # noqa: F811
    # flapping: fewer failures in a row than the threshold, then a good
    # answer, twice: never marked down
    for _ in range(2):
        pod2.fail(502)
        for _ in range(DOWN_AFTER_FAILURES - 1):
            assert _get(demo, pair[1]).status_code == 503
        pod2.clear()
        assert _get(demo, pair[1]).status_code == 200

    pod2.fail(502)
    for _ in range(DOWN_AFTER_FAILURES):
        assert _get(demo, pair[1]).status_code == 503
    pod2.clear()
    # the proxy passes again, but the pod is marked down
    calls = len(pod2.history)
    assert _get(demo, pair[1]).status_code == 503
    assert len(pod2.history) == calls
    assert _get(demo, pair[0]).status_code == 200

    # calls while it is down are answered by the gateway alone; once
    # retry_down_after has passed one reaches the pod and brings it up
    down_since = time.monotonic()
    wait_for(lambda: _get(demo, pair[1]).status_code == 200,
             'pod 2 up again', timeout=RETRY_DOWN_AFTER + 30)
    assert time.monotonic() - down_since >= RETRY_DOWN_AFTER - 0.5
    assert _get(demo, pair[1]).status_code == 200


def mark_pod2_down(demo: Any, pair: Any, pod2: Any  # noqa: F811
                    ) -> int:
    """Refuse pod 2 until marked down; return its proxy's call count."""
    pod2.refuse()
    for _ in range(DOWN_AFTER_FAILURES):
        assert _get(demo, pair[1]).status_code == 503
    return len(pod2.history)


def _create_in_az2(conn: Any, name: str) -> Any:
    return conn.compute.post('/servers', json={'server': {
        'name': name, 'imageRef': IMAGE_ID, 'flavorRef': FLAVOR_ID,
        'networks': 'none', 'availability_zone': 'az2'}},
        microversion='2.37', raise_exc=False)


def test_create_in_a_down_pods_zone_writes_nothing(gateway, demo, pair,  # noqa: F811,E501
                                               admin_session, pod2):  # noqa: F811
    name = f'gw-down-{uuid.uuid4().hex[:8]}'
    project = demo.current_project_id
    before = routings(gateway, admin_session, project_id=project)
    calls = mark_pod2_down(demo, pair, pod2)

    response = _create_in_az2(demo, name)

    # the project is bound to pod 2 in az2 (its server there): refused,
    # as Nova refuses, never sent to the pod
    assert response.status_code == 503, response.text
    assert response.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
    assert len(pod2.history) == calls
    assert routings(gateway, admin_session, project_id=project) == before
    pod2.clear()
    servers = demo.compute.get('/servers', params={'name': name}).json()
    assert servers['servers'] == []


def test_unbound_create_in_a_down_pods_zone_is_no_valid_host(
        gateway, demo, alt, pair, admin_session, pod2):  # noqa: F811
    project = alt.current_project_id
    bindings_url = gateway.url + '/admin/v1/bindings'
    query = {'project_id': project, 'az_name': 'az2', 'is_active': 'true'}
    bound = admin_session.get(bindings_url, params=query).json()['bindings']
    for binding in bound:
        admin_session.delete(f'{bindings_url}/{binding["id"]}')
    try:
        before = routings(gateway, admin_session, project_id=project)
        calls = mark_pod2_down(demo, pair, pod2)

        response = _create_in_az2(alt, f'gw-down-{uuid.uuid4().hex[:8]}')

        assert response.status_code == 400, response.text
        assert response.json() == {'badRequest': {
            'code': 400, 'message': 'No valid host was found. There are '
                                    'not enough hosts available.'}}
        assert len(pod2.history) == calls
        assert routings(gateway, admin_session, project_id=project) == before
        assert admin_session.get(bindings_url, params=query).json()[
            'bindings'] == []
    finally:
        for binding in bound:
            admin_session.post(bindings_url, json={'binding': {
                key: binding[key]
                for key in ('project_id', 'az_name', 'pod_id')}})


@pytest.fixture(scope='module')
def demo_volume(demo: Any) -> Iterator[dict[str, Any]]:  # noqa: F811
    volume = make_volume(demo, 'az1', metadata={'owner': 'demo'})
    try:
        yield volume
    finally:
        delete_volume(demo, volume['id'])


def test_other_project_gets_404_on_every_volume_call(demo, alt,  # noqa: F811
                                                     demo_volume):
    path = f'/volumes/{demo_volume["id"]}'
    calls = [
        ('GET', path, None),
        ('PUT', path, {'volume': {'name': 'taken'}}),
        ('DELETE', path, None),
        ('POST', path + '/action', {'os-extend': {'new_size': 2}}),
        ('POST', path + '/action', {'os-reset_status': {
            'status': 'error'}}),
        ('GET', path + '/metadata', None),
        ('POST', path + '/metadata', {'metadata': {'owner': 'alt'}}),
        ('PUT', path + '/metadata/owner', {'meta': {'owner': 'alt'}}),
        ('DELETE', path + '/metadata/owner', None),
    ]
    for method, url, body in calls:
        response = alt.block_storage.request(
            url, method, json=body, raise_exc=False)
        assert response.status_code == 404, (method, url, response.text)
        assert set(response.json()) == {'itemNotFound'}, (method, url)

    volume = demo.block_storage.get(path).json()['volume']
    assert volume['status'] == 'available'
    assert volume['size'] == 1
    assert volume['name'] == demo_volume['name']
    assert volume['metadata'] == {'owner': 'demo'}
