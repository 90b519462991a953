"""``trio2o-api`` as a process: slow clients and dead workers.

Runs the console script on a SQLite database with the admin API only
(noauth), as operators start it.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.functional.test_admin_api import ADMIN
from tests.functional.test_admin_api import BIN
from tests.functional.test_admin_api import PASTE
from tests.functional.test_admin_api import free_port
from tests.functional.test_admin_api import manage
from tests.functional.test_admin_api import wait_for_line

IDLE_TIMEOUT = 2
IDLE_CONNECTIONS = 50


@contextmanager
def start_api(tmp_path: pathlib.Path, **options: object
              ) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run trio2o-api (noauth, admin API only, SQLite) with ``[api]``
    ``options``; yield the process and its URL."""
    config_file = tmp_path / 'trio2o.conf'
    config_file.write_text(
        '[DEFAULT]\nauth_strategy = noauth\nenabled_services = admin\n'
        f'state_path = {tmp_path / "state"}\n'
        f'[api]\nbind_port = {free_port()}\npaste_config = {PASTE}\n'
        + ''.join(f'{name} = {value}\n' for name, value in options.items())
        + f'[database]\nconnection = sqlite:///{tmp_path / "db.sqlite"}\n')
    assert manage(config_file, 'db', 'sync').returncode == 0
    with open(tmp_path / 'api.log', 'w') as log:
        process = subprocess.Popen(
            [str(BIN / 'trio2o-api'), '--config-file', str(config_file)],
            stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            line = wait_for_line(process, 'trio2o-api listening on', 120)
            yield process, line.split()[-1]
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            process.stdout.close()


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux ``/proc``)."""
    path = pathlib.Path(f'/proc/{pid}/task/{pid}/children')
    return {int(child) for child in path.read_text().split()}


def answers(url: str) -> bool:
    response = requests.get(url + '/admin/v1/pods', headers=ADMIN, timeout=5)
    return response.status_code == 200


def test_idle_connections_are_closed_and_others_answered(tmp_path):
    with start_api(tmp_path, client_socket_timeout=IDLE_TIMEOUT) as (_, url):
        host, port = url.removeprefix('http://').split(':')
        idle = []
        for _ in range(IDLE_CONNECTIONS):
            sock = socket.create_connection((host, int(port)), timeout=10)
            # a request line and no end of headers: a slow client
            sock.sendall(b'GET /admin/v1/pods HTTP/1.1\r\nHost: x\r\n')
            idle.append(sock)
        try:
            started = time.monotonic()
            assert answers(url)
            assert time.monotonic() - started < 5
            deadline = time.monotonic() + IDLE_TIMEOUT + 10
            for sock in idle:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    closed = sock.recv(1024) == b''
                except ConnectionResetError:
                    closed = True
                except TimeoutError:
                    closed = False
                assert closed, 'an idle connection was not closed'
            assert time.monotonic() - started >= IDLE_TIMEOUT - 0.5
            assert answers(url)
        finally:
            for sock in idle:
                sock.close()


def test_a_dead_worker_is_replaced(tmp_path):
    with start_api(tmp_path, workers=2) as (process, url):
        deadline = time.monotonic() + 30
        while len(children(process.pid)) < 2:
            assert time.monotonic() < deadline, 'workers did not start'
            time.sleep(0.1)
        workers = children(process.pid)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)

        deadline = time.monotonic() + 30
        while True:
            now = children(process.pid)
            if victim not in now and len(now) == 2:
                break
            assert time.monotonic() < deadline, (
                f'worker not replaced: {workers} -> {now}')
            time.sleep(0.1)
        assert all(answers(url) for _ in range(10))

        process.send_signal(signal.SIGTERM)
        assert process.wait(30) in (0, -signal.SIGTERM)
        assert not any(pathlib.Path(f'/proc/{pid}').exists()
                       and 'zombie' not in pathlib.Path(
                           f'/proc/{pid}/status').read_text()
                       for pid in now)


def test_healthcheck_follows_the_database_and_metrics_are_off(tmp_path):
    admin = {**ADMIN, 'Accept': 'application/json'}
    with start_api(tmp_path) as (_, url):
        short = requests.get(url + '/healthcheck', timeout=5)
        assert (short.status_code, short.text) == (200, 'OK')
        detailed = requests.get(url + '/healthcheck', headers=admin,
                                timeout=5).json()
        assert detailed['reasons'][0]['details'] == 'database: ok'
        assert requests.get(url + '/metrics', timeout=5).status_code == 404

        # the database loses its pods table: unhealthy, says why to admins
        with sqlite3.connect(tmp_path / 'db.sqlite') as database:
            database.execute('ALTER TABLE pods RENAME TO pods_gone')
        short = requests.get(url + '/healthcheck', timeout=5)
        assert short.status_code == 503
        assert short.text == 'database unreachable'
        detailed = requests.get(url + '/healthcheck', headers=admin,
                                timeout=5)
        assert detailed.status_code == 503
        assert detailed.json()['reasons'][0]['reason'] == (
            'database unreachable')
