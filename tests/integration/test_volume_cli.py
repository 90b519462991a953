"""python-openstackclient's volume commands through the gateway, as a
user of the one cloud runs them (the top region's block-storage
endpoint is the gateway)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trio2o_core.testing.gateway import GatewayProcess

TIMEOUT = 90.0
POLL = 0.5
CLI = str(Path(sys.executable).with_name('openstack'))


@pytest.fixture(scope='module')
def osc(gateway: GatewayProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """Run ``openstack --os-cloud trio2o <args>`` (``cloud=`` another
    cloud of the gateway's clouds.yaml) and return its JSON."""
    clouds = tmp_path_factory.mktemp('osc') / 'clouds.yaml'
    gateway.write_clouds_yaml(clouds)
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds))

    def run(*args: str, output: bool = True, cloud: str = 'trio2o') -> Any:
        fmt = ['-f', 'json'] if output else []
        proc = subprocess.run([CLI, '--os-cloud', cloud, *args, *fmt],
                              capture_output=True, text=True, env=env,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        # --wait writes its progress before the JSON
        starts = [i for i in (proc.stdout.find('{'), proc.stdout.find('['))
                  if i >= 0]
        return json.loads(proc.stdout[min(starts):]) if starts else {}
    return run


def _wait(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + TIMEOUT
    while not (value := check()):
        assert time.monotonic() < deadline, f'timed out waiting: {what}'
        time.sleep(POLL)
    return value


def _available(osc: Callable[..., Any], kind: str, item_id: str) -> Any:
    return _wait(lambda: (lambda v: v if v['status'] == 'available'
                          else None)(osc(*kind.split(), 'show', item_id)),
                 f'{kind} {item_id} available')


def test_volume_commands_through_the_gateway(osc):
    first = osc('volume', 'create', '--size', '1', '--availability-zone',
                'az2', 'cli-az2')
    second = osc('volume', 'create', '--size', '1', '--availability-zone',
                 'az1', 'cli-az1')
    try:
        shown = _available(osc, 'volume', first['id'])
        _available(osc, 'volume', second['id'])
        assert shown['availability_zone'] == 'az2'
        listed = {v['ID'] for v in osc('volume', 'list')}
        assert {first['id'], second['id']} <= listed

        osc('volume', 'set', '--size', '2', first['id'], output=False)
        _wait(lambda: osc('volume', 'show', first['id'])['size'] == 2,
              'extended to 2')
        osc('volume', 'set', '--property', 'k=v', first['id'],
            output=False)
        assert osc('volume', 'show', first['id'])['properties'] == {
            'k': 'v'}

        snapshot = osc('volume', 'snapshot', 'create', '--volume',
                       first['id'], 'cli-snap')
        _available(osc, 'volume snapshot', snapshot['id'])
        assert snapshot['id'] in {
            s['ID'] for s in osc('volume', 'snapshot', 'list')}
        osc('volume', 'snapshot', 'delete', snapshot['id'], output=False)
        _wait(lambda: snapshot['id'] not in {
            s['ID'] for s in osc('volume', 'snapshot', 'list')},
            'snapshot gone')
    finally:
        osc('volume', 'delete', first['id'], second['id'], output=False)
    _wait(lambda: not {first['id'], second['id']} & {
        v['ID'] for v in osc('volume', 'list')}, 'volumes gone')


def test_zone_list_and_limits_through_the_gateway(osc):
    zones = osc('availability', 'zone', 'list', '--volume')
    assert sorted(z['Zone Name'] for z in zones) == ['az1', 'az2']
    absolute = {row['Name']: row['Value']
                for row in osc('limits', 'show', '--absolute')}
    assert absolute['max_total_volumes'] > 0
    assert 'total_volumes_used' in absolute


def test_admin_volume_commands_through_the_gateway(osc):
    services = osc('volume', 'service', 'list', cloud='trio2o-admin')
    assert {s['Zone'] for s in services
            if s['Binary'] == 'cinder-volume'} == {'az1', 'az2'}
    made = osc('volume', 'type', 'create', '--property', 'k=v',
               '--private', 'cli-type', cloud='trio2o-admin')
    try:
        shown = osc('volume', 'type', 'show', made['id'],
                    cloud='trio2o-admin')
        assert (shown['name'], shown['properties']) == ('cli-type',
                                                        {'k': 'v'})
        osc('volume', 'type', 'set', '--project', 'demo', made['id'],
            output=False, cloud='trio2o-admin')
        assert 'cli-type' in {t['Name'] for t in osc('volume', 'type',
                                                      'list')}
    finally:
        osc('volume', 'type', 'delete', made['id'], output=False,
            cloud='trio2o-admin')
    quota = osc('quota', 'show', '--volume', 'demo', cloud='trio2o-admin')
    # summed over the project's two pods, each at Cinder's default of 10
    assert {row['Resource']: row['Limit'] for row in quota}['volumes'] == 20


def _status(osc: Callable[..., Any], kind: str, item_id: str,
            status: str) -> Any:
    return _wait(lambda: (lambda v: v if v['status'] == status
                          else None)(osc(kind, 'show', item_id)),
                 f'{kind} {item_id} {status}')


def test_servers_and_volumes_through_the_gateway(osc):
    zones = osc('availability', 'zone', 'list')
    assert {(z['Zone Name'], z['Zone Status']) for z in zones} >= {
        ('az1', 'available'), ('az2', 'available')}
    server = osc('server', 'create', '--image', 'fakeimage7', '--flavor',
                 'm1.tiny', '--availability-zone', 'az2', '--wait',
                 'cli-vm')
    volume = osc('volume', 'create', '--size', '1', '--availability-zone',
                 'az2', 'cli-data')
    booted = None
    try:
        _available(osc, 'volume', volume['id'])
        osc('server', 'add', 'volume', server['id'], volume['id'],
            output=False)
        attached = _status(osc, 'volume', volume['id'], 'in-use')
        assert [a['server_id'] for a in attached['attachments']] == [
            server['id']]
        osc('server', 'remove', 'volume', server['id'], volume['id'],
            output=False)
        _available(osc, 'volume', volume['id'])

        osc('volume', 'set', '--bootable', volume['id'], output=False)
        booted = osc('server', 'create', '--volume', volume['id'],
                     '--flavor', 'm1.tiny', '--wait', 'cli-from-volume')
        assert booted['status'] == 'ACTIVE'
        assert osc('server', 'show', booted['id'])[
            'OS-EXT-AZ:availability_zone'] == 'az2'
    finally:
        for made in (booted, server):
            if made is not None:
                osc('server', 'delete', '--wait', made['id'], output=False)
        _available(osc, 'volume', volume['id'])
        osc('volume', 'delete', volume['id'], output=False)
