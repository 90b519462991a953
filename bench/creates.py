"""Servers created per second through the gateway, by worker count.

Run: ``python bench/creates.py [--workers 1,2,4] [--quick]``.

For each worker count, a ``trio2o-api`` with that many workers
(``noauth``, its database on PostgreSQL at ``--postgres`` in a database
made for the run and dropped after it; SQLite with ``--postgres ''``)
sits in front of one canned Nova pod (:mod:`canned_nova`: ``POST
/servers`` answers 202 with a new id at once). ``POST
/compute/v2.1/servers`` is sent for ``--seconds`` on ``--connections``
keep-alive connections (wrk when installed, else Python threads). Every
create writes the gateway's request row, the routing and its status.
Afterwards the routing table must hold an ``active`` routing for at
least every create answered; a create cut by the end of the run may be
routed without being counted, or left ``creating`` (at most one per
connection). Prints creates/s, p50 and p99 per worker count, and the
CPU time per create of the gateway (supervisor and workers summed), of
PostgreSQL (every server process of the cluster, connections closed
during the run included: other databases' work counts too) and of the
canned pod, and writes ``bench/results/creates.json`` (``--json``).
``--option SECTION.NAME=VALUE`` adds a gateway setting (repeatable).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canned_nova import PROJECT_ID  # noqa: E402
from canned_nova import USER_ID  # noqa: E402
from canned_nova import CannedNova  # noqa: E402
from harness import POSTGRES  # noqa: E402
from harness import gateway  # noqa: E402
from harness import load  # noqa: E402
from harness import postgres_database  # noqa: E402
from harness import write_json  # noqa: E402

from trio2o_core.conf import CONF  # noqa: E402
from trio2o_core.db import api as db  # noqa: E402

HEADERS = {'X-Auth-Token': f'{USER_ID}:{PROJECT_ID}',
           'X-Roles': 'member,reader'}
BODY = json.dumps({'server': {
    'name': 'bench', 'flavorRef': '1',
    'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b'}}).encode()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """Return the CPU time (user + system) of each running process of
    ``pids`` and of its children that ended, by pid (PostgreSQL's
    postmaster so counts the connections closed)."""
    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seconds[pid] = (times.user + times.system + times.children_user
                        + times.children_system)
    return seconds


def gateway_pids(pid: int) -> list[int]:
    """The gateway process and its workers."""
    return [pid, *(child.pid for child in
                   psutil.Process(pid).children(recursive=True))]


def postgres_pids() -> list[int]:
    """The processes of the PostgreSQL server (on this machine)."""
    return [process.pid for process in psutil.process_iter(['name'])
            if process.info['name'] == 'postgres']


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes spent between the two readings (a
    process started in between counts from zero)."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def routed(url: str) -> dict[str, int]:
    """Count the server routings of the database at ``url`` by status."""
    CONF.set_override('connection', url, group='database')
    db.reset_engine()
    try:
        counts: dict[str, int] = {}
        for row in db.list_routing_rows(resource_type='server'):
            counts[row['status']] = counts.get(row['status'], 0) + 1
        return counts
    finally:
        db.reset_engine()


def run(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Measure creates with ``workers`` gateway workers."""
    made = postgres_database(args.postgres) if args.postgres else None
    with (CannedNova(1, 0) as pods,
          tempfile.TemporaryDirectory(prefix='trio2o-bench-') as tmp):
        url = made[0] if made else f'sqlite:///{tmp}/trio2o.sqlite'
        try:
            with gateway(Path(tmp), pods,
                         [f'api.workers={workers}',
                          'scheduler.default_availability_zone=az1',
                          *args.option],
                         database=url) as (process, port):
                base = f'http://127.0.0.1:{port}/compute/v2.1/servers'
                groups = {'gateway': gateway_pids(process.pid),
                          'postgres': postgres_pids(),
                          'pod': [pods.pid] if pods.pid else []}
                before = {name: cpu_seconds(pids)
                          for name, pids in groups.items()}
                result = load(base, method='POST', body=BODY,
                              headers=HEADERS,
                              connections=args.connections,
                              seconds=args.seconds)
                groups['postgres'] = postgres_pids()
                cpu_ms = {name: spent(before[name], cpu_seconds(pids))
                          / max(result.requests, 1) * 1e3
                          for name, pids in groups.items()}
                if result.errors:
                    log = (Path(tmp) / 'trio2o-api.log').read_text()
                    errors = [line for line in log.splitlines()
                              if ' ERROR ' in line or ' WARNING ' in line]
                    print('\n'.join(errors[-20:]), file=sys.stderr)
            counts = routed(url)
        finally:
            if made:
                made[1]()
    if result.errors:
        raise RuntimeError(f'{result.errors} creates failed')
    if (counts.get('active', 0) < result.requests
            or set(counts) - {'active', 'creating'}
            or counts.get('creating', 0) > args.connections):
        raise RuntimeError(f'{result.requests} creates answered, routings '
                           f'{counts}')
    row = {'workers': workers, 'creates': result.requests,
           'rate': result.rate, 'p50_ms': result.p50_ms,
           'p99_ms': result.p99_ms, 'routed': counts.get('active', 0),
           'tool': result.tool,
           **{f'{name}_cpu_ms': value for name, value in cpu_ms.items()}}
    print(f'{workers:>7}  {result.rate:9.1f}  {result.p50_ms:8.2f}  '
          f'{result.p99_ms:8.2f}  {result.requests:>7}  '
          f'{row["routed"]:>7}  {cpu_ms["gateway"]:11.2f}  '
          f'{cpu_ms["postgres"]:9.2f}  {cpu_ms["pod"]:7.2f}', flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workers', default=None,
                        help='comma-separated worker counts (default '
                             '1,2,4; --quick 1,2)')
    parser.add_argument('--seconds', type=float, default=None,
                        help='load time per count (default 5; --quick 1)')
    parser.add_argument('--connections', type=int, default=16,
                        help='concurrent clients (default 16)')
    parser.add_argument('--postgres', default=POSTGRES,
                        help='PostgreSQL server URL without database '
                             '("" for SQLite)')
    parser.add_argument('--option', action='append', default=[],
                        help='extra gateway setting SECTION.NAME=VALUE '
                             '(repeatable)')
    parser.add_argument('--json', default=None,
                        help='where the figures go (default '
                             'bench/results/creates.json)')
    parser.add_argument('--quick', action='store_true',
                        help='a short run (smoke test)')
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 1.0 if args.quick else 5.0
    if args.workers is None:
        args.workers = '1,2' if args.quick else '1,2,4'
    backend = 'postgresql' if args.postgres else 'sqlite'
    print(f'database {backend}, {args.connections} connections, '
          f'{args.seconds:g} s per count')
    print(f'{"workers":>7}  {"creates/s":>9}  {"p50 ms":>8}  {"p99 ms":>8}  '
          f'{"answered":>7}  {"routed":>7}  {"gateway CPU":>11}  '
          f'{"pg CPU":>9}  {"pod CPU":>7}  (CPU: ms per create)',
          flush=True)
    rows = [run(int(n), args) for n in args.workers.split(',')]
    where = write_json('creates', {'database': backend,
                                   'connections': args.connections,
                                   'seconds': args.seconds, 'rows': rows},
                       args.json)
    print(f'figures written to {where}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
