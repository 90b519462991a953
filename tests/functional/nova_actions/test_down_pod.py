"""A server whose pod does not answer: its actions get 503 naming the
pod, and work again once the pod is back."""

from __future__ import annotations

import time
from typing import Any

import openstack.connection

from trio2o_core.testing.gateway import GatewayProcess

from .conftest import POLL
from .conftest import TIMEOUT
from .conftest import action
from .conftest import fault_message
from .conftest import wait_status

Conn = openstack.connection.Connection


def test_action_on_a_server_of_a_refusing_pod(gateway: GatewayProcess,
                                              demo: Conn,
                                              server: Any) -> None:
    pod = next(pod for pod in gateway.cloud.pods
               if f'az{pod.index}' == server.availability_zone)
    pod.proxy.refuse()
    try:
        for _ in range(2):
            response = action(demo, server.id, {'pause': None})
            assert (response.status_code, fault_message(response)) == (
                503, f'Pod {pod.region} is unavailable.')
    finally:
        pod.proxy.clear()
    deadline = time.monotonic() + TIMEOUT
    while (response := action(demo, server.id,
                              {'pause': None})).status_code == 503:
        assert time.monotonic() < deadline, 'the pod stays unavailable'
        time.sleep(POLL)
    assert response.status_code == 202
    wait_status(demo, server.id, 'PAUSED')
