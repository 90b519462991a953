"""Per-process up/down state of pods (a simple circuit breaker)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class PodHealth:
    """Counts consecutive failures per pod.

    A pod is down after ``threshold`` failures in a row, until
    ``retry_after`` seconds have passed since the last one. Then calls
    reach it again: a success brings it back up, a failure makes it down
    for another ``retry_after`` seconds. Every caller is let through
    once the time has passed (not a single probe), because many callers
    only look at the state and never call the pod.
    """

    def __init__(self, threshold: int = 1, retry_after: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def is_down(self, pod_id: str) -> bool:
        """Whether calls to the pod should be skipped now."""
        with self._lock:
            count, last = self._failures.get(pod_id, (0, 0.0))
        if count < self.threshold:
            return False
        return self._clock() - last < self.retry_after

    def failures(self, pod_id: str) -> int:
        """Consecutive failures to reach the pod since it last answered."""
        with self._lock:
            return self._failures.get(pod_id, (0, 0.0))[0]

    def failed(self, pod_id: str) -> None:
        """Record one failure to reach the pod."""
        with self._lock:
            count, _ = self._failures.get(pod_id, (0, 0.0))
            self._failures[pod_id] = (count + 1, self._clock())

    def succeeded(self, pod_id: str) -> None:
        """Record that the pod answered."""
        with self._lock:
            self._failures.pop(pod_id, None)
