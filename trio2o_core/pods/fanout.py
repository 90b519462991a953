"""Parallel calls to pods with a per-call timeout.

Uses green calls when the process is monkey-patched by eventlet
(``trio2o-api``; :mod:`trio2o_core.pods.green`), a bounded thread pool
otherwise. This module never imports eventlet itself.
"""

from __future__ import annotations

import concurrent.futures
import sys
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

K = TypeVar('K')
T = TypeVar('T')


def eventlet_patched() -> bool:
    """Whether eventlet has monkey-patched ``threading``."""
    eventlet = sys.modules.get('eventlet')
    if eventlet is None:
        return False
    from eventlet import patcher

    return bool(patcher.is_monkey_patched('thread'))


class Fanout:
    """Runs one callable per key concurrently, at most ``workers`` at
    once."""

    def __init__(self, workers: int = 16) -> None:
        self.workers = workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def run(self, func: Callable[[K], T], keys: Iterable[K],
            timeout: float | None = None) -> Mapping[K, T | BaseException]:
        """Call ``func(key)`` for each key; return result or exception.

        A call not finished ``timeout`` seconds after the start yields a
        ``TimeoutError`` (a call under way is left to finish on its own;
        under eventlet, one still queued behind ``workers`` is not
        started).
        """
        keys = list(keys)
        if not keys:
            return {}
        if len(keys) == 1 and timeout is None:
            return {keys[0]: _call(func, keys[0])}
        if eventlet_patched():
            return self._run_green(func, keys, timeout)
        return self._run_threads(func, keys, timeout)

    def _run_threads(self, func: Callable[[K], T], keys: list[K],
                     timeout: float | None) -> dict[K, T | BaseException]:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                self.workers, thread_name_prefix='trio2o-fanout')
        futures = {self._executor.submit(_call, func, key): key
                   for key in keys}
        done, _ = concurrent.futures.wait(futures, timeout=timeout)
        results: dict[K, T | BaseException] = {}
        for future, key in futures.items():
            if future in done:
                results[key] = future.result()
            else:
                results[key] = TimeoutError(f'no answer in {timeout}s')
        return results

    def _run_green(self, func: Callable[[K], T], keys: list[K],
                   timeout: float | None) -> dict[K, T | BaseException]:
        from trio2o_core.pods import green

        return green.run(func, keys, timeout, self.workers, _call)


def answer_waiter() -> Any:
    """The :class:`~trio2o_core.pods.green.AnswerWaiter` of the green
    fan-out call running now (its pod calls wait for their answers
    together), or None."""
    green = sys.modules.get('trio2o_core.pods.green')
    return None if green is None else green.current_waiter()


def _call(func: Callable[[K], T], key: K) -> T | BaseException:
    try:
        return func(key)
    except Exception as exc:
        return exc
