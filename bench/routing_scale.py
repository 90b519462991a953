"""Routing lookups with many routing rows, on SQLite and PostgreSQL.

Run: ``python bench/routing_scale.py [--rows N] [--quick]``.

For each backend (SQLite in a temporary file; PostgreSQL at
``--postgres``, default ``postgresql+psycopg2://postgres@127.0.0.1:5432``,
in a database made for the run and dropped after it, skipped with a
note when the server cannot be reached) it creates the schema, 10 pods and
``--rows`` server routings (default 1,000,000): ``--big`` (default
10,000) of one project, the others spread over 1,000 projects (and on
PostgreSQL gathers the statistics autovacuum would). Then it times, on
one connection pool as a gateway worker would:

- ``lookup``: the per-request routing lookup
  (:func:`trio2o_core.db.api.get_routing_and_pod`) of random servers;
- ``lookup (ORM)``: the same row through the ORM
  (:func:`~trio2o_core.db.api.get_routing_by_top_id`, then its pod);
- ``page check``: what a server list page now reads of the routing
  table for the project with ``--big`` servers: its pods
  (:func:`~trio2o_core.db.api.routed_pod_ids`) and which of a pod's
  batch of 100 ids are its own
  (:func:`~trio2o_core.db.api.routed_top_ids`);
- ``project list``: every routing row of that project
  (:func:`~trio2o_core.db.api.list_routing_rows`), what each list page
  read before.

It prints p50 and p99 per operation and backend and writes
``bench/results/routing_scale.json`` (``--json``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sqlalchemy as sa  # noqa: E402
from harness import POSTGRES  # noqa: E402
from harness import postgres_database  # noqa: E402
from harness import write_json  # noqa: E402

from trio2o_core.conf import CONF  # noqa: E402
from trio2o_core.db import api as db  # noqa: E402
from trio2o_core.db import migration  # noqa: E402
from trio2o_core.db.models import ResourceRouting  # noqa: E402
from trio2o_core.db.models import utcnow  # noqa: E402

BIG_PROJECT = 'b16b16b16b16b16b16b16b16b16b16b1'
CHUNK = 10_000


def populate(rows: int, big: int) -> list[str]:
    """Fill the configured database; return a sample of routed ids."""
    migration.upgrade()
    pods = [db.create_pod(f'Pod{n}', f'az{n}').id for n in range(10)]
    table = ResourceRouting.__table__
    sample: list[str] = []
    created = utcnow()
    with db.get_engine().begin() as connection:
        for start in range(0, rows, CHUNK):
            batch = []
            for index in range(start, min(rows, start + CHUNK)):
                top_id = str(uuid.UUID(int=index + 1))
                project = (BIG_PROJECT if index < big
                           else f'{index % 1000:032x}')
                batch.append({'top_id': top_id, 'resource_type': 'server',
                              'bottom_id': top_id,
                              'pod_id': pods[index % len(pods)],
                              'project_id': project, 'status': 'active',
                              'created_at': created})
            connection.execute(sa.insert(table), batch)
            sample.append(batch[len(batch) // 2]['top_id'])
    if db.get_engine().dialect.name == 'postgresql':
        # the statistics autovacuum gathers after a bulk load (without
        # them the planner takes the big project for a few rows)
        with db.get_engine().connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.exec_driver_sql('ANALYZE')
    return sample


def timed(operation: Callable[[], Any], count: int) -> dict[str, float]:
    """Run ``operation`` ``count`` times; return p50 and p99 in ms."""
    samples = []
    for _ in range(count):
        before = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - before)
    samples.sort()
    return {'p50_ms': statistics.median(samples) * 1e3,
            'p99_ms': samples[min(len(samples) - 1,
                                  round(0.99 * (len(samples) - 1)))] * 1e3,
            'count': count}


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Populate the database at ``url`` and time each operation."""
    CONF.set_override('connection', url, group='database')
    db.reset_engine()
    try:
        started = time.perf_counter()
        sample = populate(args.rows, args.big)
        filled = time.perf_counter() - started
        ids = [str(uuid.UUID(int=random.randrange(args.rows) + 1))
               for _ in range(args.lookups)]
        it = iter(ids * 2)
        routing, pod = db.get_routing_and_pod(sample[0], 'server')
        if routing['top_id'] != sample[0] or pod['id'] != routing['pod_id']:
            raise RuntimeError(f'lookup of {sample[0]}: {routing} {pod}')
        listed = db.list_routing_rows(project_id=BIG_PROJECT,
                                      resource_type='server')
        if len(listed) != min(args.big, args.rows):
            raise RuntimeError(f'{len(listed)} routings of the big project')

        def orm() -> None:
            row = db.get_routing_by_top_id(next(it), 'server')
            db.get_pod(row.pod_id)

        batches = [[str(uuid.UUID(int=random.randrange(args.rows) + 1))
                    for _ in range(100)] for _ in range(50)]
        pages = iter(batches * (args.lists // 50 + 2))

        def page() -> None:
            db.routed_pod_ids(BIG_PROJECT, 'server')
            db.routed_top_ids(BIG_PROJECT, 'server', next(pages))

        return {'rows': args.rows, 'fill_seconds': filled, 'operations': {
            'lookup': timed(lambda: db.get_routing_and_pod(next(it),
                                                           'server'),
                            args.lookups),
            'lookup (ORM)': timed(orm, args.lookups),
            'page check': timed(page, args.lists),
            'project list': timed(lambda: db.list_routing_rows(
                project_id=BIG_PROJECT, resource_type='server'),
                args.lists)}}
    finally:
        db.reset_engine()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rows', type=int, default=None,
                        help='routing rows (default 1,000,000; --quick '
                             '20,000)')
    parser.add_argument('--big', type=int, default=None,
                        help='servers of the big project (default 10,000; '
                             '--quick 1,000)')
    parser.add_argument('--lookups', type=int, default=2000,
                        help='timed lookups (default 2000)')
    parser.add_argument('--lists', type=int, default=20,
                        help='timed project lists (default 20)')
    parser.add_argument('--postgres',
                        default=POSTGRES,
                        help='PostgreSQL server URL without database '
                             '("" skips PostgreSQL)')
    parser.add_argument('--json', default=None,
                        help='where the figures go (default '
                             'bench/results/routing_scale.json)')
    parser.add_argument('--quick', action='store_true',
                        help='a short run (smoke test)')
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 20_000 if args.quick else 1_000_000
    if args.big is None:
        args.big = 1000 if args.quick else 10_000
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix='trio2o-bench-') as tmp:
        results['sqlite'] = measure(f'sqlite:///{tmp}/routing.sqlite', args)
    made = postgres_database(args.postgres) if args.postgres else None
    if made is not None:
        url, drop = made
        try:
            results['postgresql'] = measure(url, args)
        finally:
            drop()
    print(f'{"backend":<11} {"rows":>9} {"fill s":>7}  {"operation":<13} '
          f'{"p50 ms":>8} {"p99 ms":>8}')
    for backend, figures in results.items():
        for name, timing in figures['operations'].items():
            print(f'{backend:<11} {figures["rows"]:>9} '
                  f'{figures["fill_seconds"]:7.1f}  {name:<13} '
                  f'{timing["p50_ms"]:8.3f} {timing["p99_ms"]:8.3f}')
    where = write_json('routing_scale', {'big_project_servers': args.big,
                                         'backends': results}, args.json)
    print(f'figures written to {where}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
