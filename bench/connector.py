"""What a pod call costs the gateway: PodConnector with and without reuse.

Run: ``python bench/connector.py [--calls N]``. Prints microseconds per
operation (median of N) against a canned backend on loopback:

- connect, first time: catalog parsing and an openstacksdk Connection;
- connect, cached: what every later request of the same token pays;
- GET through a cached Connection (pooled TCP);
- GET through a fresh Connection each time (what no reuse would cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

from keystoneauth1 import fixture

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend import CannedBackend  # noqa: E402

from trio2o_core.context import RequestContext  # noqa: E402
from trio2o_core.plugin.types import Pod  # noqa: E402
from trio2o_core.pods.connector import PodConnector  # noqa: E402


def _context(url: str) -> RequestContext:
    token = fixture.V3Token()
    service = token.add_service('compute')
    service.add_standard_endpoints(public=url + '/v2.1', region='Pod1')
    return RequestContext(user_id='u', project_id='p',
                          auth_token=uuid.uuid4().hex, token_info=token)


def _median_us(func, calls: int) -> float:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--calls', type=int, default=200)
    args = parser.parse_args()
    pod = Pod('pod-1', 'Pod1', 'az1', 'pod1-zone', None, True)
    with CannedBackend() as backend:
        def first_connect() -> None:
            PodConnector().connect(_context(backend.url), pod)

        connector = PodConnector()
        context = _context(backend.url)
        conn = connector.connect(context, pod)
        conn.compute.get('/servers', microversion='2.1')

        def fresh_get() -> None:
            PodConnector().connect(context, pod).compute.get(
                '/servers', microversion='2.1')

        rows = [
            ('connect, first time', _median_us(first_connect, args.calls)),
            ('connect, cached', _median_us(
                lambda: connector.connect(context, pod), args.calls)),
            ('GET, cached connection', _median_us(
                lambda: connector.connect(context, pod).compute.get(
                    '/servers', microversion='2.1'), args.calls)),
            ('GET, fresh connection', _median_us(fresh_get, args.calls)),
        ]
    for name, micros in rows:
        print(f'{name:<26} {micros:10.1f} us')
    print(f'reuse saves {rows[3][1] / rows[2][1]:.1f}x per pod call')


if __name__ == '__main__':
    main()
