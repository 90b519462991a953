"""The gateway's own cost of the merged server list.

Run: ``python bench/list_servers.py [--pods 1,10,50,100] [--rounds R]
[--pages first|deep] [--baseline PYTHON] [--quick]``.

For each number of pods N, a real ``trio2o-api`` (eventlet, the paste
pipeline, ``noauth``) is started in front of N canned Nova pods on
loopback (:mod:`canned_nova`), each holding ``--servers`` servers routed
to one project. One client on one keep-alive connection then sends a
fixed number of requests (bounded by ``--seconds`` too) per scenario:

- ``first``: ``GET /compute/v2.1/servers/detail?limit=100``;
- ``deep``: the same with ``marker`` the middle server of the merged
  list.

The reference (``direct``) asks one canned Nova holding all N pods'
servers for the same page, so ``gateway - direct`` is what the gateway
adds. The first answer of each scenario is checked against the expected
page of the merged order. With ``--baseline PYTHON`` a second gateway,
run by that interpreter (another checkout's virtualenv: the code to
compare with), is measured beside the first; with ``--rounds R`` each
scenario's requests are sent in R rounds, every target taking its turn
in each, so a slower spell of a shared machine falls on all of them.
Per scenario it prints median and p95 latency, requests/s, the CPU time
of the gateway, the pods and the client per request, and the pod calls
and new pod connections per request; then a summary table.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import json
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canned_nova import PROJECT_ID  # noqa: E402
from canned_nova import USER_ID  # noqa: E402
from canned_nova import CannedNova  # noqa: E402
from canned_nova import server_id  # noqa: E402
from harness import gateway  # noqa: E402
from harness import write_json  # noqa: E402

PAGES = ('first', 'deep')
#: noauth identity; the token is what the gateway forwards to pods
HEADERS = {'X-Auth-Token': f'{USER_ID}:{PROJECT_ID}',
           'X-Roles': 'member,reader'}


@dataclasses.dataclass
class Run:
    """What one scenario measured."""

    target: str
    pods: int
    page: str
    servers: int
    samples: list[float]
    elapsed: float
    cpu: dict[str, float]
    calls: dict[str, int]

    def p50(self) -> float:
        """Median latency, ms."""
        return statistics.median(self.samples) * 1e3

    def p95(self) -> float:
        """95th percentile latency, ms."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1,
                           round(0.95 * (len(ordered) - 1)))] * 1e3

    def rate(self) -> float:
        """Requests per second."""
        return len(self.samples) / self.elapsed

    def line(self) -> str:
        """One line: latency, rate, CPU and pod calls per request."""
        count = len(self.samples)
        cpu = '  '.join(f'{name} CPU {seconds / count * 1e3:.2f} ms'
                        for name, seconds in self.cpu.items())
        text = (f'{self.target:<8} pods={self.pods:<3} {self.page:<5} '
                f'{self.servers:>3} servers  n={count:<4} '
                f'p50 {self.p50():8.2f} ms  p95 {self.p95():8.2f} ms  '
                f'{self.rate():8.1f} req/s  {cpu}')
        if self.target != 'direct':
            text += ('  pod calls {:.1f} (lists {:.1f}, shows {:.1f}, '
                     'versions {:.1f})  new pod conns {:.1f}').format(
                (self.calls['lists'] + self.calls['shows']
                 + self.calls['versions']) / count,
                self.calls['lists'] / count, self.calls['shows'] / count,
                self.calls['versions'] / count,
                self.calls['connections'] / count)
        return text


def expected_order(pods: int, servers: int) -> list[str]:
    """Every server id in the merged order (newest first)."""
    return [server_id(pod, index) for index in reversed(range(servers))
            for pod in reversed(range(1, pods + 1))]


def page_query(page: str, order: list[str], limit: int
               ) -> tuple[str, list[str]]:
    """Return the query of a page and the ids it must answer."""
    if page == 'first':
        return f'limit={limit}', order[:limit]
    middle = len(order) // 2
    return (f'limit={limit}&marker={order[middle - 1]}',
            order[middle:middle + limit])


def _cpu(pid: int | None) -> float:
    if pid is None:
        return time.process_time()
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def measure(port: int, path: str, headers: dict[str, str],
            expected: list[str], args: argparse.Namespace,
            processes: dict[str, int | None],
            counters: Callable[[], dict[str, int]]
            ) -> tuple[list[float], float, dict[str, float], dict[str, int]]:
    """Send ``args.warmup`` then up to ``args.requests`` GETs (for at most
    ``args.seconds``) on one keep-alive connection.

    Returns the latencies (s), the elapsed time, the CPU seconds of each
    of ``processes`` (None: this one) and the change of ``counters``.

    :raises RuntimeError: an answer is not 200 or not the expected page.
    """
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def get() -> bytes:
        conn.request('GET', path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f'GET {path}: {response.status} {body!r}')
        return body

    try:
        ids = [s['id'] for s in json.loads(get())['servers']]
        if ids != expected:
            raise RuntimeError(f'GET {path}: {len(ids)} servers, not the '
                               f'expected {len(expected)} in merged order')
        for _ in range(args.warmup):
            get()
        samples = []
        cpu = {name: _cpu(pid) for name, pid in processes.items()}
        calls = counters()
        start = time.perf_counter()
        deadline = start + args.seconds
        while len(samples) < args.requests and time.perf_counter() < deadline:
            before = time.perf_counter()
            get()
            samples.append(time.perf_counter() - before)
        elapsed = time.perf_counter() - start
        cpu = {name: _cpu(pid) - cpu[name] for name, pid in processes.items()}
        after = counters()
        return samples, elapsed, cpu, {k: after[k] - calls[k] for k in after}
    finally:
        conn.close()


def run_pods(count: int, args: argparse.Namespace) -> list[Run]:
    """Measure every scenario with ``count`` pods: each target in turn,
    ``args.rounds`` times, a round's share of the requests each time."""
    runs = []
    order = expected_order(count, args.servers)
    with (CannedNova(count, args.servers, args.latency / 1e3) as pods,
          tempfile.TemporaryDirectory(prefix='trio2o-bench-') as tmp,
          gateway(Path(tmp) / 'gateway', pods, args.option)
          as (api, api_port),
          contextlib.ExitStack() as stack):
        union_port = int(pods.union_url.rsplit(':', 1)[1])
        gateways = [('gateway', api.pid, api_port)]
        if args.baseline:
            old, old_port = stack.enter_context(gateway(
                Path(tmp) / 'baseline', pods, args.option,
                python=args.baseline))
            gateways.append(('baseline', old.pid, old_port))
        share = argparse.Namespace(**{
            **vars(args), 'requests': -(-args.requests // args.rounds),
            'seconds': args.seconds / args.rounds})
        for page in args.pages.split(','):
            query, ids = page_query(page, order, args.limit)
            targets = [('direct', union_port, f'/v2.1/servers/detail?{query}',
                        {}, {'pods': pods.pid, 'client': None})]
            targets += [(name, port, f'/compute/v2.1/servers/detail?{query}',
                         HEADERS, {'gateway': pid, 'pods': pods.pid,
                                   'client': None})
                        for name, pid, port in gateways]
            parts: dict[str, list[Run]] = {}
            for _ in range(args.rounds):
                for target, port, path, headers, processes in targets:
                    samples, elapsed, cpu, calls = measure(
                        port, path, headers, ids, share, processes,
                        pods.counters)
                    parts.setdefault(target, []).append(Run(
                        target, count, page, len(ids), samples, elapsed,
                        cpu, calls))
            for target in parts:
                run = _joined(parts[target])
                print(run.line(), flush=True)
                runs.append(run)
    return runs


def _joined(parts: list[Run]) -> Run:
    """One run of a scenario's rounds."""
    first = parts[0]
    return Run(first.target, first.pods, first.page, first.servers,
               [sample for run in parts for sample in run.samples],
               sum(run.elapsed for run in parts),
               {name: sum(run.cpu[name] for run in parts)
                for name in first.cpu},
               {name: sum(run.calls[name] for run in parts)
                for name in first.calls})


def summary(runs: list[Run]) -> None:
    """Print the gateway (and the ``--baseline`` gateway) against the
    direct figure, per pods and page."""
    print()
    print(f'{"pods":>4}  {"page":<5}  {"servers":>7}  {"direct p50":>10}  '
          f'{"gateway p50":>11}  {"gateway p95":>11}  {"req/s":>7}  '
          f'{"ratio":>7}  {"added/pod":>9}  {"gateway CPU/req":>15}')
    direct = {(r.pods, r.page): r for r in runs if r.target == 'direct'}
    for run in runs:
        if run.target == 'direct':
            continue
        base = direct[(run.pods, run.page)]
        added = (run.p50() - base.p50()) / run.pods
        cpu = run.cpu['gateway'] / len(run.samples) * 1e3
        label = '' if run.target == 'gateway' else f'  ({run.target})'
        print(f'{run.pods:>4}  {run.page:<5}  {run.servers:>7}  '
              f'{base.p50():7.2f} ms  {run.p50():8.2f} ms  '
              f'{run.p95():8.2f} ms  {run.rate():7.1f}  '
              f'{run.p50() / base.p50():6.0f}x  {added:6.2f} ms  '
              f'{cpu:12.1f} ms{label}')


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--pods', default=None,
                        help='comma-separated pod counts '
                             '(default 1,10,50,100; --quick: 1,10)')
    parser.add_argument('--servers', type=int, default=20,
                        help='servers per pod (default 20)')
    parser.add_argument('--limit', type=int, default=100,
                        help='page size asked for (default 100)')
    parser.add_argument('--requests', type=int, default=None,
                        help='measured requests per scenario '
                             '(default 100; --quick: 10)')
    parser.add_argument('--seconds', type=float, default=None,
                        help='time cap per scenario '
                             '(default 30; --quick: 5)')
    parser.add_argument('--warmup', type=int, default=None,
                        help='unmeasured requests first (default 10; '
                             '--quick: 2)')
    parser.add_argument('--latency', type=float, default=0.0,
                        help='milliseconds every canned pod waits before '
                             'each answer (default 0)')
    parser.add_argument('--json', default=None,
                        help='where the figures go (default '
                             'bench/results/list_servers.json)')
    parser.add_argument('--rounds', type=int, default=1,
                        help='split each scenario\'s requests into this '
                             'many rounds, every target taking its turn '
                             'in each (default 1)')
    parser.add_argument('--baseline', default=None, metavar='PYTHON',
                        help='also measure a gateway run by this '
                             'interpreter (the trio2o it has installed: '
                             'another checkout\'s virtualenv, say)')
    parser.add_argument('--option', action='append', default=[],
                        metavar='SECTION.NAME=VALUE',
                        help='extra gateway setting (repeatable), e.g. '
                             'pods.fanout_workers=100')
    parser.add_argument('--pages', default=','.join(PAGES),
                        choices=[*PAGES, ','.join(PAGES)],
                        help='the scenarios to run (default first,deep)')
    parser.add_argument('--quick', action='store_true',
                        help='a short run (smoke test)')
    args = parser.parse_args()
    for name, full, quick in (('pods', '1,10,50,100', '1,10'),
                              ('requests', 100, 10), ('seconds', 30.0, 5.0),
                              ('warmup', 10, 2)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    counts = [int(n) for n in args.pods.split(',')]
    signal.signal(signal.SIGTERM, _terminate)
    print(f'servers/pod={args.servers} limit={args.limit} '
          f'pod latency={args.latency:g} ms '
          f'requests<={args.requests} per scenario (<={args.seconds:g} s); '
          'direct = one canned Nova holding every server', flush=True)
    runs: list[Run] = []
    try:
        for count in counts:
            runs += run_pods(count, args)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130
    summary(runs)
    where = write_json('list_servers', {
        'servers_per_pod': args.servers, 'limit': args.limit,
        'latency_ms': args.latency, 'rounds': args.rounds,
        'runs': [{'target': r.target, 'pods': r.pods, 'page': r.page,
                  'servers': r.servers, 'requests': len(r.samples),
                  'p50_ms': r.p50(), 'p95_ms': r.p95(), 'rate': r.rate(),
                  'cpu_ms': {name: seconds / len(r.samples) * 1e3
                             for name, seconds in r.cpu.items()},
                  'calls': r.calls} for r in runs]}, args.json)
    print(f'figures written to {where}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
