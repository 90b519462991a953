"""An operator ships an action in a package of its own (the example
plugin package's ``whereIs``): installed as an entry point, enabled in
``[nova] enabled_server_actions``, it is served after a restart with
nothing else changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack.connection
import pytest

from trio2o_core.testing.gateway import GatewayProcess
from trio2o_core.testing.gateway import install_distribution

from .conftest import MISSING_SERVER
from .conftest import fault_message

ENABLED = 'os-stop,whereIs'
EXAMPLE_PLUGINS = (Path(__file__).resolve().parents[3] / 'examples' /
                   'trio2o-example-plugins')


@pytest.fixture(scope='module')
def extra(gateway: GatewayProcess,
          tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[GatewayProcess]:
    """A second trio2o-api on the same database, with the plugin's
    directory on its PYTHONPATH and only ``os-stop`` and ``whereIs``
    enabled. The catalog keeps pointing at the first gateway."""
    root = tmp_path_factory.mktemp('extra-action')
    install_distribution(EXAMPLE_PLUGINS, root / 'site')
    proc = GatewayProcess(
        gateway.cloud, root / 'gateway',
        options={'database': {'connection': 'sqlite:///'
                              f'{gateway.workdir}/trio2o.sqlite'},
                 'nova': {'enabled_server_actions': ENABLED}},
        env={'PYTHONPATH': str(root / 'site')})
    try:
        proc.start()
    finally:
        gateway.cloud.register_gateway(gateway.url)
    try:
        yield proc
    finally:
        proc.stop()


def _post(conn: openstack.connection.Connection, extra: GatewayProcess,
          server_id: str, body: Any, version: str) -> Any:
    return conn.session.post(
        f'{extra.url}/compute/v2.1/servers/{server_id}/action', json=body,
        headers={'OpenStack-API-Version': f'compute {version}'},
        raise_exc=False)


def test_extra_action_is_served(extra: GatewayProcess, demo: Any,
                                server: Any) -> None:
    response = _post(demo, extra, server.id, {'whereIs': None}, '2.3')
    assert response.status_code == 200, response.text
    where = response.json()['whereIs']
    zone = server.availability_zone
    assert (where['pod'], where['availability_zone']) == (
        {'az1': 'Pod1', 'az2': 'Pod2'}[zone], zone)
    assert {link['href'] for link in where['links']} >= {
        f'{extra.url}/compute/v2.1/servers/{server.id}'}


def test_extra_action_follows_the_dispatch_rules(
        extra: GatewayProcess, demo: Any, server: Any) -> None:
    response = _post(demo, extra, server.id, {'whereIs': None}, '2.2')
    assert (response.status_code, fault_message(response)) == (
        404, 'The resource could not be found.')
    response = _post(demo, extra, server.id, {'whereIs': {}}, '2.3')
    assert (response.status_code, fault_message(response)) == (
        400, "Invalid input for field/attribute whereIs. Value: {}. {} is "
             "not of type 'null'")
    response = _post(demo, extra, MISSING_SERVER, {'whereIs': None}, '2.3')
    assert (response.status_code, fault_message(response)) == (
        404, f'Instance {MISSING_SERVER} could not be found.')


def test_actions_not_enabled_are_unknown(extra: GatewayProcess, demo: Any,
                                         server: Any) -> None:
    response = _post(demo, extra, server.id, {'pause': None}, '2.3')
    assert (response.status_code, fault_message(response)) == (
        400, 'There is no such action: pause')
