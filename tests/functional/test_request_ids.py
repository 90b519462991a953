"""One request id end to end: the gateway logs each request with its
ids and sends the global id (the caller's, else its own) to the pod,
whose log has the same id on its line for the call, next to the pod's
own id, which a relayed answer names."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
from tests.functional.nova.conftest import pair  # noqa: F401
from tests.functional.nova.conftest import wait_for


def _line_with(path: Path, *parts: str, last: bool = False) -> str:
    """The first (or ``last``) line of the log at ``path`` containing
    every part, once the log has one."""
    def found() -> str | None:
        lines = path.read_text(errors='replace').splitlines()
        return next((line for line in (reversed(lines) if last else lines)
                     if all(part in line for part in parts)), None)
    return wait_for(found, f'a line with {parts} in {path}', timeout=10)


def _logs(gateway: Any) -> tuple[Path, Path]:
    return (gateway.workdir / 'trio2o-api.log',
            gateway.cloud.workdir / 'nova-pod1.log')


def test_the_gateways_request_id_is_in_the_pods_log(gateway, demo,  # noqa: F811,E501
                                                     pair):  # noqa: F811
    path = f'/servers/{pair[0].id}'
    response = demo.compute.get(path)
    assert response.status_code == 200
    # a relayed answer names the pod's own id (what the pod records)
    pod_id = response.headers['x-openstack-request-id']
    gateway_log, pod_log = _logs(gateway)

    logged = _line_with(gateway_log, f'GET /compute/v2.1{path} status: 200',
                        last=True)
    assert demo.current_project_id in logged
    gateway_id = re.search(r'\[None (req-[0-9a-f-]+) ', logged).group(1)
    # the pod logged its request under the gateway's id, as the global one
    assert _line_with(pod_log, f'[{gateway_id} {pod_id}]', f'/v2.1{path}')


def test_the_callers_global_id_reaches_the_pod(gateway, demo, pair):  # noqa: F811,E501
    global_id = f'req-{uuid.uuid4()}'

    response = demo.compute.get(
        f'/servers/{pair[0].id}',
        headers={'X-OpenStack-Request-ID': global_id})

    assert response.status_code == 200
    pod_id = response.headers['x-openstack-request-id']
    assert pod_id != global_id
    gateway_log, pod_log = _logs(gateway)
    assert _line_with(gateway_log, f'[{global_id} req-',
                      f'/servers/{pair[0].id} status: 200')
    assert _line_with(pod_log, f'[{global_id} {pod_id}]',
                      f'/v2.1/servers/{pair[0].id}')
