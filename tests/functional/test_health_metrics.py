"""``/healthcheck`` and ``/metrics`` of the session gateway (metrics
enabled) in front of the real pods: the short answer for anybody, the
detailed one for admins, and a down pod seen in both."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
from tests.functional.nova.conftest import pair  # noqa: F401
from tests.functional.test_pod_faults import mark_pod2_down
from tests.functional.test_pod_faults import pod2  # noqa: F401


def _health(gateway: Any, token: str | None = None,
            accept: str = 'application/json') -> requests.Response:
    headers = {'Accept': accept}
    if token:
        headers['X-Auth-Token'] = token
    return requests.get(gateway.url + '/healthcheck', headers=headers,
                        timeout=30)


def _token(conn: Any) -> str:
    return conn.session.get_token()


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format."""
    for line in text.splitlines():
        match = re.match(r'^(\w+)\{(.*)\} (\S+)$', line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2)))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    raise AssertionError(f'no sample {name} {labels}')


def test_anybody_gets_the_short_answer(gateway, demo):  # noqa: F811
    for token in (None, 'not-a-token', _token(demo)):
        response = _health(gateway, token)
        assert response.status_code == 200
        body = response.json()
        assert body == {'detailed': False, 'reasons': ['OK']}

    plain = _health(gateway, accept='text/plain')
    assert (plain.status_code, plain.text) == (200, 'OK')
    head = requests.head(gateway.url + '/healthcheck', timeout=30)
    assert head.status_code == 204


def test_admin_gets_database_and_each_pods_breaker(gateway, admin):  # noqa: F811,E501
    response = _health(gateway, _token(admin))

    assert response.status_code == 200
    body = response.json()
    assert body['detailed'] is True
    [check] = body['reasons']
    assert check['reason'] == 'OK'
    details = check['details']
    assert details.startswith('database: ok')
    for pod in gateway.cloud.pods:
        assert f'pod {pod.region} (' in details
    assert 'down' not in details


def test_pod_calls_are_counted_per_pod_and_status(gateway, demo, pair):  # noqa: F811,E501
    before = requests.get(gateway.url + '/metrics', timeout=30).text
    get = 'GET'

    response = demo.compute.get(f'/servers/{pair[0].id}')
    assert response.status_code == 200

    after = requests.get(gateway.url + '/metrics', timeout=30)
    assert after.status_code == 200
    assert after.headers['Content-Type'].startswith('text/plain')
    labels = dict(pod='Pod1', service='compute', method=get, status='200')

    def count(text: str) -> float:
        try:
            return _metric(text, 'trio2o_pod_requests_total', **labels)
        except AssertionError:
            return 0.0

    assert count(after.text) >= count(before) + 1
    assert _metric(after.text, 'trio2o_pod_request_seconds_count',
                   pod='Pod1', service='compute') >= 1
    assert _metric(after.text, 'trio2o_pod_up', pod='Pod1') == 1


def test_down_pod_in_detailed_health_and_metrics(gateway, admin, demo,  # noqa: F811,E501
                                                 pair, pod2):  # noqa: F811
    mark_pod2_down(demo, pair, pod2)

    details = _health(gateway, _token(admin)).json()['reasons'][0]
    assert 'pod Pod2 (az2): down, 3 consecutive failures' in (
        details['details'])
    assert details['reason'] == 'OK'  # pod 1 still serves
    assert _health(gateway).status_code == 200

    text = requests.get(gateway.url + '/metrics', timeout=30).text
    assert _metric(text, 'trio2o_pod_up', pod='Pod2', az='az2') == 0
    assert _metric(text, 'trio2o_pod_consecutive_failures', pod='Pod2') == 3
    assert _metric(text, 'trio2o_pod_errors_total', pod='Pod2',
                   service='compute', kind='unreachable') >= 3


def test_metrics_take_no_writes(gateway):
    response = requests.post(gateway.url + '/metrics', timeout=30)
    assert response.status_code == 405
    assert requests.get(gateway.url + '/metrics/x',
                        timeout=30).status_code == 404
