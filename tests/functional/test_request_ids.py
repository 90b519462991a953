"""One request id end to end: the gateway logs each request with its
ids and sends the global id (the caller's, else its own) to the pod,
whose log has the same id on its line for the call."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
from tests.functional.nova.conftest import pair  # noqa: F401


def _line_with(path: Path, *parts: str, timeout: float = 10.0) -> str:
    """The first line of the log at ``path`` containing every part."""
    deadline = time.monotonic() + timeout
    while True:
        for line in path.read_text(errors='replace').splitlines():
            if all(part in line for part in parts):
                return line
        assert time.monotonic() < deadline, f'no line with {parts} in {path}'
        time.sleep(0.2)


def _logs(gateway: Any) -> tuple[Path, Path]:
    return (gateway.workdir / 'trio2o-api.log',
            gateway.cloud.workdir / 'nova-pod1.log')


def test_the_gateways_request_id_is_in_the_pods_log(gateway, demo,  # noqa: F811,E501
                                                     pair):  # noqa: F811
    response = demo.compute.get(f'/servers/{pair[0].id}')
    assert response.status_code == 200
    request_id = response.headers['x-openstack-request-id']
    gateway_log, pod_log = _logs(gateway)

    logged = _line_with(gateway_log, request_id,
                        f'GET /compute/v2.1/servers/{pair[0].id} status: 200')
    assert demo.current_project_id in logged
    # the pod takes it as the global id of its own request
    assert _line_with(pod_log, f'[{request_id} req-',
                      f'/v2.1/servers/{pair[0].id}')


def test_the_callers_global_id_reaches_the_pod(gateway, demo, pair):  # noqa: F811,E501
    global_id = f'req-{uuid.uuid4()}'

    response = demo.compute.get(
        f'/servers/{pair[0].id}',
        headers={'X-OpenStack-Request-ID': global_id})

    assert response.status_code == 200
    local_id = response.headers['x-openstack-request-id']
    assert local_id != global_id
    gateway_log, pod_log = _logs(gateway)
    assert _line_with(gateway_log, f'[{global_id} {local_id} ',
                      f'/servers/{pair[0].id} status: 200')
    assert _line_with(pod_log, f'[{global_id} req-',
                      f'/v2.1/servers/{pair[0].id}')
