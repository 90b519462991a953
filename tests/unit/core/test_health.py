"""Per-process pod up/down state (circuit breaker)."""

from trio2o_core.pods.health import PodHealth


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_pod_never_seen_is_up():
    assert not PodHealth().is_down('p1')


def test_down_after_threshold_consecutive_failures():
    health = PodHealth(threshold=3, retry_after=30, clock=Clock())

    health.failed('p1')
    health.failed('p1')
    assert not health.is_down('p1')
    health.failed('p1')

    assert health.is_down('p1')
    assert not health.is_down('p2')


def test_success_resets_the_count():
    health = PodHealth(threshold=2, retry_after=30, clock=Clock())

    health.failed('p1')
    health.succeeded('p1')
    health.failed('p1')

    assert not health.is_down('p1')


def test_down_pod_is_tried_again_after_retry_after():
    clock = Clock()
    health = PodHealth(threshold=1, retry_after=30, clock=clock)
    health.failed('p1')

    clock.now += 29.9
    assert health.is_down('p1')
    clock.now += 0.1
    assert not health.is_down('p1')


def test_a_failed_probe_keeps_the_pod_down_for_another_period():
    clock = Clock()
    health = PodHealth(threshold=1, retry_after=30, clock=clock)
    health.failed('p1')
    clock.now += 30

    health.failed('p1')

    assert health.is_down('p1')
    clock.now += 29
    assert health.is_down('p1')


def test_a_successful_probe_restarts_the_count():
    clock = Clock()
    health = PodHealth(threshold=2, retry_after=30, clock=clock)
    health.failed('p1')
    health.failed('p1')
    clock.now += 30

    health.succeeded('p1')
    health.failed('p1')

    assert not health.is_down('p1')


def test_looking_at_the_state_does_not_change_it():
    clock = Clock()
    health = PodHealth(threshold=1, retry_after=30, clock=clock)
    health.failed('p1')
    clock.now += 30

    assert not health.is_down('p1')
    assert not health.is_down('p1')
    health.failed('p1')
    assert health.is_down('p1')
