"""Prometheus metrics of the gateway's pod calls (``[metrics] enabled``).

What is counted: every call to a pod (pod, service, method, status or
``unreachable``), its latency up to the answer's headers, calls that
found no answer (by kind), the wall time of each fan-out, and, read at
scrape time, each pod's breaker state. ``/metrics`` serves them in
Prometheus' text format.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import webob
import webob.dec
import webob.exc
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import exposition
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from trio2o_core.plugin.types import Pod
from trio2o_core.pods.health import PodHealth

#: seconds: from a loopback answer (~1 ms) to a pod at its timeout
LATENCY_BUCKETS = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1.0,
                   2.5, 5.0, 10.0, 30.0)


class PodMetrics:
    """The counters and histograms of one process.

    :param health: the process's breaker, read at scrape time.
    :param list_pods: the pods whose breaker state is reported.
    """

    def __init__(self, health: PodHealth,
                 list_pods: Callable[[], list[Pod]]) -> None:
        self.registry = CollectorRegistry()
        self._calls = Counter(
            'trio2o_pod_requests', 'Calls made to pods.',
            ['pod', 'service', 'method', 'status'], registry=self.registry)
        self._latency = Histogram(
            'trio2o_pod_request_seconds',
            'Seconds until a pod answered (headers received).',
            ['pod', 'service'], buckets=LATENCY_BUCKETS,
            registry=self.registry)
        self._errors = Counter(
            'trio2o_pod_errors',
            'Pod calls with no usable answer: unreachable (refused, reset, '
            'timed out, a proxy\'s 502/504) or failed (a 5xx).',
            ['pod', 'service', 'kind'], registry=self.registry)
        self._fanout = Histogram(
            'trio2o_fanout_seconds',
            'Wall time of one request\'s parallel calls to several pods.',
            ['service'], buckets=LATENCY_BUCKETS, registry=self.registry)
        self._breaker = BreakerCollector(health, list_pods)
        self.registry.register(self._breaker)

    def answered(self, pod: Pod, service: str | None, method: str,
                 status: int, seconds: float) -> None:
        """Count one call the pod answered with ``status``."""
        service = service or ''
        self._calls.labels(pod.name, service, method, str(status)).inc()
        self._latency.labels(pod.name, service).observe(seconds)
        if status >= 500:
            self._errors.labels(pod.name, service, 'failed').inc()

    def unreachable(self, pod: Pod, service: str | None,
                    method: str) -> None:
        """Count one call that got no answer from the pod."""
        service = service or ''
        self._calls.labels(pod.name, service, method, 'unreachable').inc()
        self._errors.labels(pod.name, service, 'unreachable').inc()

    def fanned_out(self, service: str | None, seconds: float) -> None:
        """Record the wall time of one fan-out."""
        self._fanout.labels(service or '').observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The text to serve and its content type.

        With ``PROMETHEUS_MULTIPROC_DIR`` set, counters and histograms
        are every worker's sum; the breaker state is this worker's.
        """
        registry = self.registry
        if os.environ.get('PROMETHEUS_MULTIPROC_DIR'):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(self._breaker)
        return (exposition.generate_latest(registry),
                exposition.CONTENT_TYPE_LATEST)


class BreakerCollector(Collector):
    """Each enabled pod's breaker: ``trio2o_pod_up`` (1 up, 0 marked
    down) and ``trio2o_pod_consecutive_failures``."""

    def __init__(self, health: PodHealth,
                 list_pods: Callable[[], list[Pod]]) -> None:
        self.health = health
        self.list_pods = list_pods

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily('trio2o_pod_up',
                               'Whether calls reach the pod (breaker closed).',
                               labels=['pod', 'az'])
        failures = GaugeMetricFamily(
            'trio2o_pod_consecutive_failures',
            'Failures to reach the pod since it last answered.',
            labels=['pod', 'az'])
        for pod in self.list_pods():
            labels = [pod.name, pod.az_name or '']
            up.add_metric(labels, 0 if self.health.is_down(pod.id) else 1)
            failures.add_metric(labels, self.health.failures(pod.id))
        yield up
        yield failures


class MetricsApp:
    """``/metrics``: the process's metrics, or 404 when disabled."""

    def __init__(self, metrics: PodMetrics | None) -> None:
        self.metrics = metrics

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> Any:
        if self.metrics is None or request.path_info not in ('', '/'):
            return webob.exc.HTTPNotFound()
        if request.method not in ('GET', 'HEAD'):
            return webob.exc.HTTPMethodNotAllowed(
                headers={'Allow': 'GET, HEAD'})
        body, content_type = self.metrics.exposition()
        response = webob.Response(body=body)
        response.headers['Content-Type'] = content_type
        return response


def app_factory(global_conf: dict, **local_conf: str) -> MetricsApp:
    """Paste ``app_factory`` of ``/metrics``."""
    from trio2o_core import core_gateway

    return MetricsApp(core_gateway.get_gateway().metrics)
