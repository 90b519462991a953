"""What a federated (k2k) pod adds to a pod call, against real Keystones.

Run: ``python bench/federation.py [--calls N] [--exchanges N]``. Starts
two real Keystones from the pod environment (the top one as SAML
identity provider, the pod's behind its service provider front, as the
local cloud does; needs ``xmlsec1``) and a canned compute backend on
loopback, registered in each Keystone's catalog. Then prints, in
milliseconds (median, p95):

- first call, shared pod: a GET with a new caller token (endpoint from
  the caller's catalog);
- first call, k2k pod: the same with a new caller token, which pays the
  token exchange (assertion from the top Keystone, the service
  provider's check, federated token, project list, rescope);
- warm call, shared pod / k2k pod: later calls of the same caller (the
  exchanged token and endpoint cached);

and the added cost of the k2k pod, first and warm.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import webob
from keystoneauth1 import session as ks_session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend import CannedBackend  # noqa: E402

from trio2o_core.context import RequestContext  # noqa: E402
from trio2o_core.plugin import CONTEXT_KEY  # noqa: E402
from trio2o_core.plugin import Pod  # noqa: E402
from trio2o_core.pods.caller import CorePodCaller  # noqa: E402
from trio2o_core.pods.connector import PodConnector  # noqa: E402
from trio2o_core.pods.fanout import Fanout  # noqa: E402
from trio2o_core.pods.federation import TokenExchange  # noqa: E402
from trio2o_core.pods.health import PodHealth  # noqa: E402
from trio2o_core.testing.federation import keystone_pair  # noqa: E402
from trio2o_core.testing.keystone import Credentials  # noqa: E402
from trio2o_core.testing.keystone import Keystone  # noqa: E402
from trio2o_core.testing.podenv.build import ensure  # noqa: E402
from trio2o_plugins.nova.api import API  # noqa: E402

USER = Credentials('demo', 'demo', 'demo')
SHARED = Pod('pod-1', 'Pod1', 'az1', None, None, True)


def _context(top: Keystone) -> RequestContext:
    """A new token of the user, as keystonemiddleware hands it on."""
    token = ks_session.Session(auth=USER.auth(top.url)).get_token()
    info = top.admin.get(top.url + '/auth/tokens',
                         headers={'X-Subject-Token': token}).json()
    return RequestContext(user_id=info['token']['user']['id'],
                          project_id=info['token']['project']['id'],
                          project_name=USER.project_name,
                          auth_token=token, token_info=info)


def _caller(connector: PodConnector,
            context: RequestContext) -> CorePodCaller:
    request = webob.Request.blank('/')
    request.environ[CONTEXT_KEY] = context
    return CorePodCaller(request, API, connector, PodHealth(), Fanout(),
                         10.0)


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def _timed(func: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples


def _start(workdir: Path, backend_url: str) -> tuple[Keystone, Keystone,
                                                     str]:
    top, pod, sp = keystone_pair(ensure(None), workdir, [USER])
    top.set_endpoint('compute', 'nova', 'Pod1', backend_url + '/v2.1')
    pod.set_endpoint('compute', 'nova', 'Pod2', backend_url + '/v2.1')
    return top, pod, sp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--calls', type=int, default=500,
                        help='warm calls per pod (default 500)')
    parser.add_argument('--exchanges', type=int, default=20,
                        help='first calls (new tokens) per pod '
                             '(default 20)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-k2k-') as tmp, \
            CannedBackend() as backend:
        top, pod_ks, sp = _start(Path(tmp), backend.url)
        try:
            rows = _measure(top, sp, args)
        finally:
            top.stop()
            pod_ks.stop()
    for name, (p50, p95) in rows.items():
        print(f'{name:<24} p50 {p50:9.3f} ms   p95 {p95:9.3f} ms')
    for kind in ('first', 'warm'):
        added = (rows[f'{kind} call, k2k'][0]
                 - rows[f'{kind} call, shared'][0])
        print(f'k2k adds, {kind} call{"":<6} {added:9.3f} ms (p50)')


def _measure(top: Keystone, sp: str,
             args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    k2k = Pod('pod-2', 'Pod2', 'az2', None, None, True, identity='k2k',
              service_provider=sp)
    connector = PodConnector()
    connector.federation = TokenExchange(top.url)
    contexts = [_context(top) for _ in range(2 * args.exchanges + 1)]

    def first(pod: Pod) -> list[float]:
        samples = []
        for _ in range(args.exchanges):
            caller = _caller(connector, contexts.pop())
            start = time.perf_counter()
            caller.call(pod, 'GET', '/servers', microversion='2.1')
            samples.append((time.perf_counter() - start) * 1e3)
        return samples

    # one exchange first: the identity provider's version discovery is
    # once per process, not per caller
    warm = _caller(connector, contexts.pop())
    warm.call(k2k, 'GET', '/servers', microversion='2.1')
    rows = {'first call, shared': _stats(first(SHARED)),
            'first call, k2k': _stats(first(k2k))}
    # warm calls of both pods interleaved, so that drift hits both alike
    samples: dict[str, list[float]] = {'warm call, shared': [],
                                       'warm call, k2k': []}
    for _ in range(args.calls):
        for name, pod in (('warm call, shared', SHARED),
                          ('warm call, k2k', k2k)):
            samples[name] += _timed(lambda pod=pod: warm.call(
                pod, 'GET', '/servers', microversion='2.1'), 1)
    rows.update({name: _stats(values) for name, values in samples.items()})
    return rows


if __name__ == '__main__':
    main()
