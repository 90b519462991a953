"""What the benchmarks share: a gateway in front of canned pods, a load
generator (wrk when installed, else threads of ``http.client``) and the
JSON file of the figures."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from canned_nova import PROJECT_ID
from canned_nova import CannedNova
from canned_nova import server_id

from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import migration
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import free_port
from trio2o_core.testing.process import http_ok

RESULTS = Path(__file__).resolve().parent / 'results'
#: the PostgreSQL server of the benchmarks (trust authentication)
POSTGRES = 'postgresql+psycopg2://postgres@127.0.0.1:5432'


def prepare_database(url: str, pods: CannedNova) -> None:
    """Create the schema, the pods and a routing per canned server."""
    CONF.set_override('connection', url, group='database')
    db.reset_engine()
    try:
        migration.upgrade()
        for number in range(1, pods.pods + 1):
            pod = db.create_pod(f'Pod{number}', f'az{number}',
                                pod_az_name=f'pod{number}-zone')
            for index in range(pods.servers):
                db.create_routing(server_id(number, index), 'server',
                                  pod.id, PROJECT_ID, status='active')
    finally:
        db.reset_engine()


@contextlib.contextmanager
def gateway(workdir: Path, pods: CannedNova, options: list[str],
            database: str | None = None,
            python: str | None = None) -> Iterator[tuple[Process, int]]:
    """Run ``trio2o-api`` (noauth, nova only, one worker unless
    ``options`` say otherwise) in front of ``pods``; yield it and its
    port. ``options`` are extra ``section.name=value`` settings;
    ``database`` an empty database's URL (default: SQLite in
    ``workdir``); ``python`` the interpreter whose installed trio2o
    runs it (default: this one)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    sections: dict[str, dict[str, str]] = {
        'DEFAULT': {'state_path': str(workdir), 'auth_strategy': 'noauth',
                    'enabled_services': 'nova',
                    'log_file': str(workdir / 'trio2o-api.log')},
        'api': {'bind_host': '127.0.0.1', 'bind_port': str(port)},
        'database': {'connection': database
                     or f'sqlite:///{workdir}/trio2o.sqlite'},
        'pods': {'endpoint_overrides': ','.join(
            f'Pod{n}.compute:{url}/v2.1'
            for n, url in enumerate(pods.urls, 1))},
    }
    for option in options:
        name, _, value = option.partition('=')
        section, _, key = name.rpartition('.')
        sections.setdefault(section or 'DEFAULT', {})[key] = value
    prepare_database(sections['database']['connection'], pods)
    conf = workdir / 'trio2o.conf'
    conf.write_text(''.join(
        f'[{section}]\n' + ''.join(f'{k} = {v}\n' for k, v in values.items())
        for section, values in sections.items()))
    # run in the work directory: ``-m`` puts the current directory
    # first on the path, and a source tree there would be imported
    # instead of the interpreter's own trio2o
    process = Process('trio2o-api', [python or sys.executable, '-m',
                                     'trio2o_core.cmd.api', '--config-file',
                                     str(conf)], workdir / 'trio2o-api.out',
                      cwd=workdir)
    try:
        process.wait_ready(http_ok(f'http://127.0.0.1:{port}/compute'),
                           timeout=60)
        yield process, port
    finally:
        process.stop()


@dataclasses.dataclass
class Load:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    tool: str

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


_UNITS = {'us': 1e-3, 'ms': 1.0, 's': 1e3}


def _wrk_ms(text: str, percent: str) -> float:
    found = re.search(rf'^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$', text,
                      re.MULTILINE)
    if not found:
        raise RuntimeError(f'no {percent}% latency in wrk output:\n{text}')
    return float(found.group(1)) * _UNITS[found.group(2)]


def _wrk(url: str, method: str, body: bytes | None,
         headers: dict[str, str], connections: int,
         seconds: float) -> Load:
    with tempfile.NamedTemporaryFile('w', suffix='.lua') as script:
        script.write(f'wrk.method = {json.dumps(method)}\n')
        if body is not None:
            script.write(f'wrk.body = {json.dumps(body.decode())}\n')
        script.flush()
        command = ['wrk', '-t1', f'-c{connections}', f'-d{seconds:g}s',
                   '--timeout', '30s', '--latency', '-s', script.name]
        for name, value in headers.items():
            command += ['-H', f'{name}: {value}']
        text = subprocess.run(command + [url], check=True,
                              capture_output=True, text=True).stdout
    done = re.search(r'(\d+) requests in ([\d.]+)(us|ms|s)', text)
    if not done:
        raise RuntimeError(f'unreadable wrk output:\n{text}')
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', text)
    socket_errors = re.search(r'Socket errors: connect (\d+), read (\d+), '
                              r'write (\d+), timeout (\d+)', text)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(n) for n in socket_errors.groups())
    return Load(int(done.group(1)), failed,
                float(done.group(2)) * _UNITS[done.group(3)] / 1e3,
                _wrk_ms(text, '50'), _wrk_ms(text, '99'), 'wrk')


def _threads(url: str, method: str, body: bytes | None,
             headers: dict[str, str], connections: int,
             seconds: float) -> Load:
    host, _, rest = url.removeprefix('http://').partition('/')
    name, _, port = host.partition(':')
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(name, int(port), timeout=30)
        mine = []
        failed = 0
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            conn.request(method, '/' + rest, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - before)
            failed += response.status >= 400
        conn.close()
        with lock:
            samples.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(samples) or [0.0]
    return Load(len(samples), errors[0], elapsed,
                statistics.median(ordered) * 1e3,
                ordered[min(len(ordered) - 1,
                            round(0.99 * (len(ordered) - 1)))] * 1e3,
                'python')


def load(url: str, *, method: str = 'GET', body: bytes | None = None,
         headers: dict[str, str] | None = None, connections: int = 1,
         seconds: float = 3.0) -> Load:
    """Send requests on ``connections`` keep-alive connections for
    ``seconds``: with wrk (one thread) when installed, else with one
    Python thread per connection."""
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault('Content-Type', 'application/json')
    run = _wrk if shutil.which('wrk') else _threads
    return run(url, method, body, headers, connections, seconds)


def postgres_database(base: str) -> tuple[str, Callable[[], None]] | None:
    """Create a database for the run; return its URL and how to drop
    it, or None when the server cannot be reached."""
    name = f'trio2o_bench_{uuid.uuid4().hex[:8]}'
    admin = sa.create_engine(f'{base}/postgres', isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE {name}'))
    except sa.exc.OperationalError as exc:
        print(f'PostgreSQL not reachable at {base} ({exc.orig}): no '
              'PostgreSQL rows', flush=True)
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        admin.dispose()

    return f'{base}/{name}', drop


def write_json(name: str, figures: Any, path: str | None = None) -> Path:
    """Write ``figures`` to ``path`` (default ``bench/results/NAME.json``)
    and return where."""
    target = Path(path) if path else RESULTS / f'{name}.json'
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=2) + '\n')
    return target
