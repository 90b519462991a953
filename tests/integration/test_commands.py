"""The long-running commands, run as a user runs them: ``trio2o-demo``
(the quick start's first command) and ``trio2o-testcloud``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
#: seconds between two looks at a log being waited on
POLL = 0.2


def _wait_for(path: Path, text: str, proc: subprocess.Popen,
              timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        assert proc.poll() is None, path.read_text()
        assert time.monotonic() < deadline, path.read_text()
        time.sleep(POLL)


def _openstack(clouds: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, 'OS_CLIENT_CONFIG_FILE': str(clouds)}
    return subprocess.run([str(BIN / 'openstack'), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_demo_serves_openstackclient_and_stops_cleanly(
        tmp_path: Path) -> None:
    clouds = tmp_path / 'clouds.yaml'
    log = tmp_path / 'demo.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [str(BIN / 'trio2o-demo'), '--clouds-yaml', str(clouds),
             '--workdir', str(tmp_path / 'state')],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(log, 'Press Ctrl-C to stop.', proc, 300)
        entries = yaml.safe_load(clouds.read_text())['clouds']
        assert {'trio2o', 'trio2o-alt', 'trio2o-admin', 'pod1',
                'pod2'} <= set(entries)
        zones = _openstack(clouds, '--os-cloud', 'trio2o', 'availability',
                           'zone', 'list', '--compute', '-f', 'value',
                           '-c', 'Zone Name')
        assert zones.returncode == 0, zones.stderr
        assert zones.stdout.split() == ['az1', 'az2']
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, log.read_text()
    assert 'Stopping...' in log.read_text()


def test_testcloud_serves_each_pod_and_stops_cleanly(tmp_path: Path) -> None:
    clouds = tmp_path / 'clouds.yaml'
    log = tmp_path / 'testcloud.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [str(BIN / 'trio2o-testcloud'), '--pods', '2', '--clouds-yaml',
             str(clouds), '--workdir', str(tmp_path / 'state')],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(log, 'Ctrl-C to stop', proc, 300)
        entries = yaml.safe_load(clouds.read_text())['clouds']
        assert {'pod1', 'pod2'} <= set(entries)
        for cloud, region in (('pod1', 'Pod1'), ('pod2', 'Pod2')):
            assert entries[cloud]['region_name'] == region
            zones = _openstack(clouds, '--os-cloud', cloud, 'availability',
                               'zone', 'list', '--compute', '-f', 'value',
                               '-c', 'Zone Name')
            assert zones.returncode == 0, zones.stderr
            assert f'{cloud}-zone' in zones.stdout.split()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, log.read_text()
