"""What the gateway adds to one routed call, next to plain proxies.

Run: ``python bench/passthrough.py [--seconds S] [--rounds R]
[--baseline PYTHON] [--quick]``.

One canned Nova pod (:mod:`canned_nova`) on loopback holds a routed
server. In one run, the same two calls are sent

- to the pod directly,
- through nginx (when installed; else a note says the row is skipped),
- through a bare eventlet + requests proxy (:mod:`bare_proxy`),
- through ``trio2o-api`` (one worker, the real paste pipeline with
  keystonemiddleware validating the token against a canned Keystone,
  :mod:`canned_keystone`; the token is cached after the first call),
- with ``--baseline PYTHON``, through a second ``trio2o-api`` run by
  that interpreter (another checkout's virtualenv: the code to compare
  with, loaded in the same rounds):

``GET /servers/{id}`` and ``POST /servers/{id}/action`` (``os-stop``).
Each is loaded for ``--seconds`` on 1 and on 32 keep-alive connections
(wrk with one thread when installed, else Python threads), in
``--rounds`` slices: every path takes its turn once per round, so a
slower spell of a shared machine falls on all of them alike. The table
gives, over the rounds, the median p50 and p99, requests/s and the
gateway's CPU per request; the summary the gateway's
added p50 at c=1 and its rate against the bare proxy's (and its CPU
and rate against the baseline's). The figures go
to ``bench/results/passthrough.json`` (``--json``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import statistics
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canned_keystone import TOKEN  # noqa: E402
from canned_keystone import CannedKeystone  # noqa: E402
from canned_nova import CannedNova  # noqa: E402
from canned_nova import server_id  # noqa: E402
from harness import Load  # noqa: E402
from harness import gateway  # noqa: E402
from harness import load  # noqa: E402
from harness import write_json  # noqa: E402

from trio2o_core.testing.process import Process  # noqa: E402
from trio2o_core.testing.process import free_port  # noqa: E402
from trio2o_core.testing.process import http_ok  # noqa: E402

HERE = Path(__file__).resolve().parent
#: the row of the ``--baseline`` gateway
BASELINE = 'baseline'
SERVER = server_id(1, 0)
OPERATIONS = {
    'GET': ('GET', f'/servers/{SERVER}', None),
    'os-stop': ('POST', f'/servers/{SERVER}/action', b'{"os-stop": null}'),
}
NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream pod {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://pod;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(workdir: Path, upstream: int) -> Iterator[int | None]:
    """Run nginx in front of port ``upstream``; yield its port, or None
    when nginx is not installed."""
    binary = shutil.which('nginx') or (
        '/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
    if binary is None:
        yield None
        return
    port = free_port()
    conf = workdir / 'nginx.conf'
    conf.write_text(NGINX_CONF.format(dir=workdir, upstream=upstream,
                                      port=port))
    process = Process('nginx', [binary, '-c', str(conf), '-p',
                                str(workdir)], workdir / 'nginx.out')
    try:
        process.wait_ready(http_ok(f'http://127.0.0.1:{port}/'), timeout=20)
        yield port
    finally:
        process.stop()


@contextlib.contextmanager
def bare_proxy(workdir: Path, upstream: str) -> Iterator[int]:
    """Run :mod:`bare_proxy` in front of ``upstream``; yield its port."""
    port = free_port()
    process = Process('bare-proxy', [sys.executable,
                                     str(HERE / 'bare_proxy.py'), str(port),
                                     upstream], workdir / 'bare-proxy.out')
    try:
        process.wait_ready(http_ok(f'http://127.0.0.1:{port}/'), timeout=20)
        yield port
    finally:
        process.stop()


def check(base: str, operation: str, through_gateway: bool) -> None:
    """Send ``operation`` once to ``base`` and check the answer.

    :raises RuntimeError: not the pod's answer (relayed).
    """
    method, path, body = OPERATIONS[operation]
    request = urllib.request.Request(
        base + path, data=body, method=method,
        headers={'X-Auth-Token': TOKEN, 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, data = response.status, response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f'{method} {base}{path}: {exc.code} '
                           f'{exc.read()[:300]!r}') from None
    if method == 'POST':
        if status != 202:
            raise RuntimeError(f'{method} {base}{path}: {status}')
        return
    server = json.loads(data)['server']
    if status != 200 or server['id'] != SERVER:
        raise RuntimeError(f'{method} {base}{path}: {status} {data[:200]!r}')
    if through_gateway and not server['links'][0]['href'].startswith(base):
        raise RuntimeError(f'links not rewritten to the gateway: '
                           f'{server["links"]}')


def _cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def measure(targets: list[tuple[str, str, int | None]],
            args: argparse.Namespace) -> list[dict[str, Any]]:
    """Load each ``(name, base URL, pid to time)`` with each operation
    and concurrency, ``args.rounds`` times in turn (every target once
    per round, so a slower spell of a shared machine falls on all of
    them); return one record per target and operation."""
    slices: dict[tuple[str, str, int], list[tuple[Load, float]]] = {}
    for _, base, pid in targets:
        for operation in OPERATIONS:
            check(base, operation, pid is not None)
    for _ in range(args.rounds):
        for name, base, pid in targets:
            for operation, (method, path, body) in OPERATIONS.items():
                for connections in args.connections:
                    before = _cpu(pid) if pid else 0.0
                    result = load(base + path, method=method, body=body,
                                  headers={'X-Auth-Token': TOKEN},
                                  connections=connections,
                                  seconds=args.seconds / args.rounds)
                    if result.errors:
                        raise RuntimeError(f'{name} {operation}: '
                                           f'{result.errors} failed '
                                           'requests')
                    cpu = _cpu(pid) - before if pid else 0.0
                    slices.setdefault((name, operation, connections),
                                      []).append((result, cpu))
    rows = []
    for name, _, pid in targets:
        for operation in OPERATIONS:
            row: dict[str, Any] = {'path': name, 'operation': operation}
            for connections in args.connections:
                row[f'c{connections}'] = _figures(
                    slices[(name, operation, connections)], pid is not None)
            print(_line(row, args.connections), flush=True)
            rows.append(row)
    return rows


def _figures(runs: list[tuple[Load, float]], timed: bool) -> dict[str, Any]:
    """One figure of the rounds' loads: the median of their p50s and
    p99s, the rate over all of them and the CPU per request."""
    requests = sum(result.requests for result, _ in runs)
    seconds = sum(result.seconds for result, _ in runs)
    figures: dict[str, Any] = {
        'p50_ms': statistics.median(r.p50_ms for r, _ in runs),
        'p99_ms': statistics.median(r.p99_ms for r, _ in runs),
        'rate': requests / seconds if seconds else 0.0,
        'requests': requests, 'rounds': len(runs), 'tool': runs[0][0].tool}
    if timed and requests:
        figures['cpu_ms'] = sum(cpu for _, cpu in runs) / requests * 1e3
    return figures


def _line(row: dict[str, Any], connections: list[int]) -> str:
    text = f'{row["path"]:<16} {row["operation"]:<8}'
    for count in connections:
        f = row[f'c{count}']
        text += (f' | {f["p50_ms"]:7.3f} {f["p99_ms"]:7.3f} '
                 f'{f["rate"]:8.0f}')
        text += (f' {f["cpu_ms"]:6.2f}' if 'cpu_ms' in f else ' ' * 7)
    return text


def summary(rows: list[dict[str, Any]], connections: list[int]) -> None:
    """Print the gateway's added p50 and its rate against the bare
    proxy's, per operation."""
    by = {(r['path'], r['operation']): r for r in rows}
    print()
    for operation in OPERATIONS:
        gw = by[('gateway', operation)]
        direct = by[('pod direct', operation)]
        bare = by[('bare proxy', operation)]
        first = f'c{connections[0]}'
        added = gw[first]['p50_ms'] - direct[first]['p50_ms']
        ratios = ', '.join(
            f'c={n} {gw[f"c{n}"]["rate"] / bare[f"c{n}"]["rate"]:.2f}x'
            for n in connections)
        print(f'gateway {operation:<8} added p50 at c={connections[0]}: '
              f'{added:.3f} ms; req/s against the bare proxy: {ratios}')
        old = by.get((BASELINE, operation))
        if old is not None:
            cpu = ', '.join(
                f'c={n} {gw[f"c{n}"]["cpu_ms"] / old[f"c{n}"]["cpu_ms"]:.2f}x'
                for n in connections)
            rates = ', '.join(
                f'c={n} {gw[f"c{n}"]["rate"] / old[f"c{n}"]["rate"]:.2f}x'
                for n in connections)
            print(f'gateway {operation:<8} against the baseline: CPU per '
                  f'call {cpu}; req/s {rates}')


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=None,
                        help='load time per figure (default 5; --quick 1)')
    parser.add_argument('--rounds', type=int, default=None,
                        help='the load time of each figure is split into '
                             'this many rounds, every path loaded once '
                             'per round (default 5; --quick 1)')
    parser.add_argument('--connections', default='1,32',
                        help='comma-separated concurrencies (default 1,32)')
    parser.add_argument('--baseline', default=None, metavar='PYTHON',
                        help='also load a gateway run by this interpreter '
                             '(the trio2o it has installed: another '
                             'checkout\'s virtualenv, say) in the same '
                             'rounds, and compare the gateway with it')
    parser.add_argument('--option', action='append', default=[],
                        metavar='SECTION.NAME=VALUE',
                        help='extra gateway setting (repeatable)')
    parser.add_argument('--json', default=None,
                        help='where the figures go (default '
                             'bench/results/passthrough.json)')
    parser.add_argument('--workdir', default=None,
                        help='an empty directory for the processes\' '
                             'files and logs, kept (default: a temporary '
                             'one, removed)')
    parser.add_argument('--quick', action='store_true',
                        help='a short run (smoke test)')
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 1.0 if args.quick else 5.0
    if args.rounds is None:
        args.rounds = 1 if args.quick else 5
    per_round = args.seconds / args.rounds
    if per_round < 1 or not per_round.is_integer():
        parser.error('--seconds must be a whole multiple of --rounds (wrk '
                     'loads for whole seconds)')
    args.connections = [int(n) for n in args.connections.split(',')]
    signal.signal(signal.SIGTERM, _terminate)
    with (CannedNova(1, 1) as pods, CannedKeystone() as keystone,
          tempfile.TemporaryDirectory(prefix='trio2o-bench-') as tmp):
        work = Path(args.workdir or tmp)
        options = ['DEFAULT.auth_strategy=keystone',
                   f'keystone_authtoken.www_authenticate_uri={keystone.url}',
                   f'keystone_authtoken.auth_url={keystone.url}',
                   'keystone_authtoken.auth_type=password',
                   'keystone_authtoken.username=trio2o',
                   'keystone_authtoken.password=secret',
                   'keystone_authtoken.project_name=service',
                   'keystone_authtoken.user_domain_id=default',
                   'keystone_authtoken.project_domain_id=default',
                   *args.option]
        pod_port = int(pods.urls[0].rsplit(':', 1)[1])
        (work / 'nginx').mkdir(parents=True)
        with (nginx(work / 'nginx', pod_port) as nginx_port,
              bare_proxy(work, pods.urls[0]) as bare_port,
              gateway(work / 'gateway', pods, options) as (api, api_port),
              contextlib.ExitStack() as stack):
            targets: list[tuple[str, str, int | None]] = [
                ('pod direct', f'{pods.urls[0]}/v2.1', None)]
            if nginx_port is None:
                print('nginx is not installed: no nginx row', flush=True)
            else:
                targets.append(('nginx', f'http://127.0.0.1:{nginx_port}'
                                         '/v2.1', None))
            targets += [
                ('bare proxy', f'http://127.0.0.1:{bare_port}/v2.1', None),
                ('gateway', f'http://127.0.0.1:{api_port}/compute/v2.1',
                 api.pid)]
            if args.baseline:
                old, old_port = stack.enter_context(gateway(
                    work / 'baseline', pods, options, python=args.baseline))
                targets.append((BASELINE, f'http://127.0.0.1:{old_port}'
                                          '/compute/v2.1', old.pid))
            print(f'{"path":<16} {"call":<8}' + ''.join(
                f' | c={n:<3} p50 ms  p99 ms    req/s  CPU/r'
                for n in args.connections), flush=True)
            rows = measure(targets, args)
    summary(rows, args.connections)
    where = write_json('passthrough', {
        'seconds': args.seconds, 'rounds': args.rounds,
        'connections': args.connections,
        'rows': rows}, args.json)
    print(f'figures written to {where}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
