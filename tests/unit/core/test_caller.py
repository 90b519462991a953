"""The core's pod caller: what a pod's answer becomes for the client."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from trio2o_core.plugin import PodFailed
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import ServiceAPI
from trio2o_core.pods import caller as caller_module
from trio2o_core.testing.client import caller
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import GATEWAY_URL
from trio2o_core.testing.fakes import FakeGateway

API = ServiceAPI(catalog_service='compute', version_suffix=r'/v2\.1')


def relayed(status, body=None, headers=None):
    gateway = FakeGateway(pods=1)
    return caller(gateway, API).relay(
        gateway.pod(1), pod_response(status, body, headers))


@pytest.mark.parametrize('code', [400, 403, 404, 409, 412, 501, 503])
def test_pod_errors_pass_through_with_the_pod_s_body(code):
    body = {'someFault': {'code': code, 'message': f'Pod message {code}.'}}

    response = relayed(code, body)

    assert response.status_int == code
    assert response.json_body == body


def test_pod_429_keeps_its_retry_after():
    response = relayed(429, {'overLimit': {'code': 429}},
                       {'Retry-After': '17'})

    assert (response.status_int, response.headers['Retry-After']) == (
        429, '17')


def test_a_body_that_is_not_json_is_kept():
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    reply = pod_response(404)
    reply._content = b'<html>Nothing here.</html>'
    reply.headers['Content-Type'] = 'text/html'

    response = caller(gateway, API).relay(pod, reply)

    assert (response.status_int, response.body) == (
        404, b'<html>Nothing here.</html>')
    assert response.headers['Content-Type'] == 'text/html'


def test_hrefs_and_location_point_at_the_gateway():
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    root = gateway.roots[pod.id]
    reply = pod_response(202, {'href': f'{root}/v2.1/servers/x'},
                         {'Location': f'{root}/v2.1/servers/x'})

    response = caller(gateway, API).relay(pod, reply)

    assert response.json_body == {'href': f'{GATEWAY_URL}/v2.1/servers/x'}
    assert response.headers['Location'] == f'{GATEWAY_URL}/v2.1/servers/x'


@pytest.mark.parametrize('code', [500, 502, 504])
def test_pod_5xx_is_pod_failed_and_logged_with_the_request(code, caplog):
    with caplog.at_level(logging.ERROR, logger=caller_module.__name__):
        with pytest.raises(PodFailed) as info:
            relayed(code, {'computeFault': {'message': 'pod internals'}})

    assert (info.value.code, info.value.status) == (500, code)
    assert 'pod internals' not in info.value.user_message
    assert f'pod Pod1 answered {code} (request req-0001)' in caplog.text
    assert 'pod internals' in caplog.text


def test_a_call_to_a_disabled_pod_is_503_naming_it():
    gateway = FakeGateway(pods=1)
    disabled = dataclasses.replace(gateway.pod(1), enabled=False)

    with pytest.raises(PodUnavailable) as info:
        caller(gateway, API).call(disabled, 'GET', 'servers/x')

    assert (info.value.code, info.value.user_message) == (
        503, 'Pod Pod1 is unavailable.')
    assert not info.value.answer_lost
    assert gateway.calls == []
