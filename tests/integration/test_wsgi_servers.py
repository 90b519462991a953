"""The WSGI application under uWSGI and gunicorn (from PyPI), two worker
processes each, registered as the top region's endpoints and driven with
python-openstackclient as a user would."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_volume_cli import _available
from tests.integration.test_volume_cli import _wait
from tests.integration.test_volume_cli import osc  # noqa: F401
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import WSGI_WORKERS
from trio2o_core.testing.gateway import GatewayProcess


def _children(pid: int) -> set[int]:
    path = Path(f'/proc/{pid}/task/{pid}/children')
    return {int(child) for child in path.read_text().split()}


@pytest.fixture(params=['uwsgi', 'gunicorn'])
def wsgi_gateway(request: pytest.FixtureRequest, local_cloud: LocalCloud,
                 gateway: GatewayProcess,
                 tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[GatewayProcess]:
    """The gateway under a WSGI server, in the catalog while the test
    runs; afterwards the session's gateway is the catalog's again."""
    served = GatewayProcess(local_cloud,
                            tmp_path_factory.mktemp(request.param),
                            server=request.param)
    try:
        served.start()
        yield served
    finally:
        served.stop()
        local_cloud.register_gateway(gateway.url)


def test_clients_work_through_a_wsgi_server(wsgi_gateway,
                                            osc: Callable[..., Any]):  # noqa: F811,E501
    assert wsgi_gateway.cloud.gateway_url == wsgi_gateway.url
    assert wsgi_gateway.process is not None
    assert len(_children(wsgi_gateway.process.pid)) >= WSGI_WORKERS

    zones = osc('availability', 'zone', 'list')
    assert {(z['Zone Name'], z['Zone Status']) for z in zones} >= {
        ('az1', 'available'), ('az2', 'available')}
    # its own routing table: nothing routed through it yet
    assert osc('server', 'list') == []
    volume = osc('volume', 'create', '--size', '1', '--availability-zone',
                 'az2', f'{wsgi_gateway.server}-volume')
    try:
        assert _available(osc, 'volume', volume['id'])[
            'availability_zone'] == 'az2'
        # several requests, spread over the workers
        for _ in range(2 * WSGI_WORKERS):
            assert volume['id'] in {v['ID'] for v in osc('volume', 'list')}
        absolute = {row['Name']: row['Value']
                    for row in osc('limits', 'show', '--absolute')}
        assert absolute['total_volumes_used'] >= 1
    finally:
        osc('volume', 'delete', volume['id'], output=False)
    _wait(lambda: volume['id'] not in {v['ID'] for v in
                                       osc('volume', 'list')},
          'volume gone')

