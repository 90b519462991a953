"""What a pod call costs the gateway: the pod caller over the connector's
shared HTTP session, and without that reuse.

Run: ``python bench/connector.py [--calls N]``. Prints microseconds per
operation (median of N) against a canned backend on loopback:

- endpoint, first time: catalog parsing for a new caller;
- endpoint, cached: what every later request of the same caller pays;
- GET through the shared session (pooled TCP);
- GET through a fresh connector each time (what no reuse would cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import webob
from keystoneauth1 import fixture

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend import CannedBackend  # noqa: E402

from trio2o_core.context import RequestContext  # noqa: E402
from trio2o_core.plugin import CONTEXT_KEY  # noqa: E402
from trio2o_core.plugin import Pod  # noqa: E402
from trio2o_core.pods.caller import CorePodCaller  # noqa: E402
from trio2o_core.pods.connector import PodConnector  # noqa: E402
from trio2o_core.pods.fanout import Fanout  # noqa: E402
from trio2o_core.pods.health import PodHealth  # noqa: E402
from trio2o_plugins.nova.api import API  # noqa: E402


def _context(url: str) -> RequestContext:
    token = fixture.V3Token()
    service = token.add_service('compute')
    service.add_standard_endpoints(public=url + '/v2.1', region='Pod1')
    return RequestContext(user_id='u', project_id='p',
                          auth_token=uuid.uuid4().hex, token_info=token)


def _caller(connector: PodConnector,
            context: RequestContext) -> CorePodCaller:
    request = webob.Request.blank('/')
    request.environ[CONTEXT_KEY] = context
    return CorePodCaller(request, API, connector, PodHealth(), Fanout(),
                         10.0)


def _median_us(func: Callable[[], object], calls: int) -> float:
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
        connector = PodConnector()
        context = _context(backend.url)
        shared = _caller(connector, context)
        shared.call(pod, 'GET', '/servers', microversion='2.1')

        def first_endpoint() -> None:
            PodConnector().endpoint(_context(backend.url), pod, 'compute')

        def fresh_get() -> None:
            _caller(PodConnector(), context).call(
                pod, 'GET', '/servers', microversion='2.1')

        rows = [
            ('endpoint, first time', _median_us(first_endpoint, args.calls)),
            ('endpoint, cached', _median_us(
                lambda: connector.endpoint(context, pod, 'compute'),
                args.calls)),
            ('GET, shared session', _median_us(
                lambda: shared.call(pod, 'GET', '/servers',
                                    microversion='2.1'), args.calls)),
            ('GET, fresh connector', _median_us(fresh_get, args.calls)),
        ]
    for name, micros in rows:
        print(f'{name:<26} {micros:10.1f} us')
    print(f'reuse saves {rows[3][1] / rows[2][1]:.1f}x per pod call')


if __name__ == '__main__':
    main()
