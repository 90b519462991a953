"""Service writes go to the pods running the named host, all or none;
a host no pod runs is the first pod's to judge."""

from __future__ import annotations

import json

import pytest

from tests.unit.cinder.fakes import fault
from trio2o_core.testing.fake_pods import pod_response


def services(*rows):
    return pod_response(200, {'services': list(rows)})


def row(host, binary='cinder-volume', status='enabled', **fields):
    return {'host': host, 'binary': binary, 'status': status,
            'zone': 'nova', **fields}


def sent(gateway, action):
    """The pods a write went to, with the body each got."""
    return [(c.pod.name, c.json if c.data is None else json.loads(c.data))
            for c in gateway.calls_to('PUT')
            if c.path == f'/os-services/{action}']


@pytest.fixture
def hosts(gateway):
    gateway.script(gateway.pod(1), 'GET', '/os-services',
                   services(row('one@lvm'), row('one', 'cinder-scheduler')))
    gateway.script(gateway.pod(2), 'GET', '/os-services',
                   services(row('two@lvm', status='disabled',
                                disabled_reason='maintenance')))


def test_a_write_goes_only_to_the_pod_running_the_host(client, gateway,
                                                       hosts):
    answer = {'host': 'two@lvm', 'binary': 'cinder-volume',
              'status': 'enabled', 'disabled': False}
    gateway.script(gateway.pod(2), 'PUT', '/os-services/enable',
                   pod_response(200, answer))
    body = {'host': 'two@lvm', 'binary': 'cinder-volume'}
    reply = client.put('/v3/os-services/enable', body)
    assert (reply.status, reply.body) == (200, answer)
    assert sent(gateway, 'enable') == [('Pod2', body)]


def test_a_host_in_two_pods_is_written_in_both_and_undone_in_the_first(
        client, gateway):
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'GET', '/os-services',
                       services(row('same@lvm')))
    gateway.script(gateway.pod(1), 'PUT', '/os-services/disable',
                   pod_response(200, {'status': 'disabled'}))
    gateway.script(gateway.pod(2), 'PUT', '/os-services/disable', fault(
        400, 'badRequest', 'no'))
    gateway.script(gateway.pod(1), 'PUT', '/os-services/enable',
                   pod_response(200, {'status': 'enabled'}))
    body = {'host': 'same@lvm', 'binary': 'cinder-volume'}
    reply = client.put('/v3/os-services/disable', body)
    assert (reply.status, reply.body) == (400, {'badRequest': {
        'code': 400, 'message': 'no'}})
    assert sent(gateway, 'disable') == [('Pod1', body), ('Pod2', body)]
    assert sent(gateway, 'enable') == [('Pod1', body)]


def test_an_undone_enable_puts_back_the_reason(client, gateway):
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'GET', '/os-services', services(
            row('same@lvm', status='disabled', disabled_reason='repairs')))
    gateway.script(gateway.pod(1), 'PUT', '/os-services/enable',
                   pod_response(200, {'status': 'enabled'}))
    gateway.script(gateway.pod(2), 'PUT', '/os-services/enable', fault(
        404, 'itemNotFound', 'Service not found.'))
    gateway.script(gateway.pod(1), 'PUT', '/os-services/disable-log-reason',
                   pod_response(200, {'status': 'disabled'}))
    reply = client.put('/v3/os-services/enable',
                       {'host': 'same@lvm', 'binary': 'cinder-volume'})
    assert reply.status == 404
    assert sent(gateway, 'disable-log-reason') == [('Pod1', {
        'host': 'same@lvm', 'binary': 'cinder-volume',
        'disabled_reason': 'repairs'})]


def test_an_unknown_host_is_judged_by_the_first_pod(client, gateway, hosts):
    gateway.script(gateway.pod(1), 'PUT', '/os-services/freeze', fault(
        400, 'badRequest', 'Invalid input received: Host not found.'))
    reply = client.put('/v3/os-services/freeze', {'host': 'nowhere'})
    assert reply.status == 400
    assert sent(gateway, 'freeze') == [('Pod1', {'host': 'nowhere'})]


def test_an_unknown_host_with_a_pod_down_is_503(client, gateway, hosts):
    gateway.mark_down(gateway.pod(2))
    reply = client.put('/v3/os-services/enable',
                       {'host': 'nowhere', 'binary': 'cinder-volume'})
    assert (reply.status, reply.body) == (503, {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}})
    assert gateway.calls_to('PUT') == []


def test_a_refused_service_list_is_the_answer(client, gateway):
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'GET', '/os-services', fault(
            403, 'forbidden', 'Policy doesn\'t allow it.'))
    reply = client.put('/v3/os-services/enable',
                       {'host': 'one@lvm', 'binary': 'cinder-volume'})
    assert reply.status == 403
    assert gateway.calls_to('PUT') == []


def test_set_log_goes_everywhere_and_get_log_is_merged(client, gateway):
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'PUT', '/os-services/set-log',
                       pod_response(202))
        gateway.script(gateway.pod(index), 'PUT', '/os-services/get-log',
                       pod_response(200, {'log_levels': [
                           {'host': f'h{index}', 'binary': 'cinder-api',
                            'levels': {'cinder': 'INFO'}}]}))
    level = {'level': 'debug', 'binary': 'cinder-api'}
    assert client.put('/v3/os-services/set-log', level).status == 202
    assert sent(gateway, 'set-log') == [('Pod1', level), ('Pod2', level)]
    reply = client.put('/v3/os-services/get-log', {})
    assert reply.status == 200
    assert [entry['host'] for entry in reply.body['log_levels']] == [
        'h1', 'h2']
