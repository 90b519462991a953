"""The Prometheus metrics of pod calls and the ``/metrics`` app."""

from __future__ import annotations

import webob

from trio2o_core.metrics import MetricsApp
from trio2o_core.metrics import PodMetrics
from trio2o_core.plugin.types import Pod
from trio2o_core.pods.health import PodHealth

POD1 = Pod('id-1', 'Pod1', 'az1', 'nova', None, True)
POD2 = Pod('id-2', 'Pod2', 'az2', 'nova', None, True)


def _metrics() -> tuple[PodMetrics, PodHealth]:
    health = PodHealth(threshold=2, retry_after=60)
    return PodMetrics(health, lambda: [POD1, POD2]), health


def _text(metrics: PodMetrics) -> str:
    return metrics.exposition()[0].decode()


def test_answers_are_counted_with_latency_and_5xx_as_failed():
    metrics, _ = _metrics()
    metrics.answered(POD1, 'compute', 'GET', 200, 0.003)
    metrics.answered(POD1, 'compute', 'GET', 200, 0.2)
    metrics.answered(POD2, 'volumev3', 'POST', 500, 0.01)

    text = _text(metrics)

    assert ('trio2o_pod_requests_total{method="GET",pod="Pod1",'
            'service="compute",status="200"} 2.0') in text
    assert ('trio2o_pod_request_seconds_bucket{le="0.005",pod="Pod1",'
            'service="compute"} 1.0') in text
    assert ('trio2o_pod_request_seconds_count{pod="Pod1",'
            'service="compute"} 2.0') in text
    assert ('trio2o_pod_errors_total{kind="failed",pod="Pod2",'
            'service="volumev3"} 1.0') in text
    assert 'kind="failed",pod="Pod1"' not in text


def test_unreachable_calls_and_fanouts():
    metrics, _ = _metrics()
    metrics.unreachable(POD2, 'compute', 'GET')
    metrics.fanned_out('compute', 0.03)

    text = _text(metrics)

    assert ('trio2o_pod_requests_total{method="GET",pod="Pod2",'
            'service="compute",status="unreachable"} 1.0') in text
    assert ('trio2o_pod_errors_total{kind="unreachable",pod="Pod2",'
            'service="compute"} 1.0') in text
    assert 'trio2o_fanout_seconds_count{service="compute"} 1.0' in text


def test_breaker_state_is_read_at_scrape_time():
    metrics, health = _metrics()
    health.failed(POD2.id)
    assert 'trio2o_pod_up{az="az2",pod="Pod2"} 1.0' in _text(metrics)

    health.failed(POD2.id)
    text = _text(metrics)

    assert 'trio2o_pod_up{az="az2",pod="Pod2"} 0.0' in text
    assert 'trio2o_pod_up{az="az1",pod="Pod1"} 1.0' in text
    assert ('trio2o_pod_consecutive_failures{az="az2",pod="Pod2"} 2.0'
            in text)
    health.succeeded(POD2.id)
    assert 'trio2o_pod_up{az="az2",pod="Pod2"} 1.0' in _text(metrics)


def test_several_workers_report_through_the_multiprocess_directory(
        tmp_path, monkeypatch):
    metrics, health = _metrics()
    health.failed(POD1.id)
    monkeypatch.setenv('PROMETHEUS_MULTIPROC_DIR', str(tmp_path))

    text = _text(metrics)

    assert ('trio2o_pod_consecutive_failures{az="az1",pod="Pod1"} 1.0'
            in text)


def test_app_serves_text_and_is_absent_when_disabled():
    metrics, _ = _metrics()
    response = webob.Request.blank('/').get_response(MetricsApp(metrics))
    assert response.status_int == 200
    assert response.content_type == 'text/plain'
    assert b'trio2o_pod_up' in response.body

    assert webob.Request.blank('/').get_response(
        MetricsApp(None)).status_int == 404
