"""python-openstackclient, unchanged, drives a shared and a federated pod
through the gateway: the user's token is the top Keystone's only."""

from __future__ import annotations

from typing import Any

from tests.integration.test_volume_cli import _available
from tests.integration.test_volume_cli import _wait
from tests.integration.test_volume_cli import osc  # noqa: F401

IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'


def test_openstackclient_across_a_shared_and_a_federated_pod(
        osc):  # noqa: F811
    servers: dict[str, Any] = {}
    volume = None
    try:
        for zone in ('az1', 'az2'):
            made = osc('server', 'create', '--image', IMAGE, '--flavor',
                       '1', '--no-network', '--availability-zone', zone,
                       '--wait', f'cli-{zone}')
            assert made['status'] == 'ACTIVE'
            servers[zone] = made
        listed = {s['ID']: s for s in osc('server', 'list', '--long')}
        assert {listed[s['id']]['Availability Zone']
                for s in servers.values()} == {'az1', 'az2'}

        federated = servers['az2']['id']
        volume = osc('volume', 'create', '--size', '1',
                     '--availability-zone', 'az2', 'cli-az2')['id']
        _available(osc, 'volume', volume)
        osc('server', 'add', 'volume', federated, volume, output=False)
        _wait(lambda: osc('volume', 'show', volume)['status'] == 'in-use',
              'volume in use')
        osc('server', 'remove', 'volume', federated, volume, output=False)
        _available(osc, 'volume', volume)
        osc('server', 'stop', federated, output=False)
        _wait(lambda: osc('server', 'show', federated)['status'] ==
              'SHUTOFF', 'server stopped')
        volumes = {v['ID'] for v in osc('volume', 'list')}
        assert volume in volumes
    finally:
        if volume:
            osc('volume', 'delete', volume, output=False)
        for server in servers.values():
            osc('server', 'delete', '--wait', server['id'], output=False)
