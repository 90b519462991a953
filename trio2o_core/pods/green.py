"""Parallel pod calls under eventlet: green calls kept between runs,
and the calls' waits for their pods' answers shared.

A green call that sends its request and then reads the answer parks on
the hub once per call: a listener and a timer made for its socket, and
the hub's wake of that one call. A page merged over fifty pods pays
that fifty times while its answers arrive. Here the calls of one run
register their sockets in one poll set of their own
(:class:`AnswerWaiter`): the hub watches that set as one descriptor,
with one timer for the calls' read deadlines, and a ready answer
resumes its call at once. Every other wait of a call (a connection
being made, an answer read in several pieces, a database query) parks
on the hub as before.

A green call that has made its run's calls waits, idle, for a later
run: a new greenlet would allocate (and its end free) the memory of its
frames, a system call each, fifty times a page.

Imported only in a process eventlet has patched
(:mod:`trio2o_core.pods.fanout` decides).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import greenlet
from eventlet import event
from eventlet import hubs
from eventlet import patcher
from eventlet import timeout as eventlet_timeout

K = TypeVar('K')
T = TypeVar('T')

_select = patcher.original('select')
#: a descriptor's readiness is reported once, then waits to be armed
#: again (no system call to take it out of the set)
_ONCE = _select.EPOLLIN | _select.EPOLLONESHOT


class AnswerWaiter:
    """The sockets the green calls of one run wait on for an answer,
    polled together: one hub listener and at most one hub timer for all
    of them."""

    def __init__(self) -> None:
        self._hub = hubs.get_hub()
        self._poll = _select.epoll()
        self._listener: Any = None
        self._timer: Any = None
        self._timer_at = 0.0
        #: descriptor -> the green call waiting on it, and its deadline
        self._waiting: dict[int, tuple[greenlet.greenlet,
                                       float | None]] = {}

    def wait(self, fileno: int, timeout: float | None) -> None:
        """Park the calling green call until ``fileno`` is readable.

        :raises TimeoutError: it was not within ``timeout`` seconds.
        """
        try:
            self._poll.register(fileno, _ONCE)
        except FileExistsError:
            # in the set since an earlier wait of the run: armed again
            self._poll.modify(fileno, _ONCE)
        deadline = None if timeout is None else time.monotonic() + timeout
        self._waiting[fileno] = (greenlet.getcurrent(), deadline)
        if self._listener is None:
            self._listener = self._hub.add(
                self._hub.READ, self._poll.fileno(), self._ready,
                _ignore, _ignore)
        if deadline is not None and (self._timer is None
                                     or deadline < self._timer_at):
            self._arm(deadline)
        try:
            self._hub.switch()
        finally:
            if self._waiting.pop(fileno, None) is not None:
                self._poll.unregister(fileno)
            if not self._waiting:
                self._rest()

    def _ready(self, _fileno: int) -> None:
        # in the hub: resume every call whose answer has come
        for fileno, _ in self._poll.poll(0):
            # reported once, the descriptor stays in the set, disarmed
            waiter = self._waiting.pop(fileno, None)
            if waiter is not None:
                waiter[0].switch()

    def _expire(self) -> None:
        # in the hub: a read deadline has passed
        self._timer = None
        now = time.monotonic()
        due = [fileno for fileno, (_, deadline) in self._waiting.items()
               if deadline is not None and deadline <= now]
        for fileno in due:
            waiter = self._waiting.pop(fileno, None)
            if waiter is not None:
                self._poll.unregister(fileno)
                waiter[0].throw(TimeoutError('timed out'))
        later = [deadline for _, deadline in self._waiting.values()
                 if deadline is not None]
        if later:
            self._arm(min(later))

    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = self._hub.schedule_call_global(
            max(deadline - time.monotonic(), 0.0), self._expire)

    def _rest(self) -> None:
        """Nobody waits: leave the hub (the poll set is kept for the
        run's later waits)."""
        if self._listener is not None:
            self._hub.remove(self._listener)
            self._listener = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        """Close the poll set (every wait has ended)."""
        self._rest()
        self._poll.close()


class _Call(greenlet.greenlet):
    """A green call. It runs the calls of runs one after another and,
    between them, waits in its hub's idle list: the memory of its frames
    is kept for the next call rather than made again for every one."""

    #: the :class:`AnswerWaiter` of the run whose call it runs, if any
    answers: AnswerWaiter | None = None


#: hub -> its idle green calls
_IDLE: weakref.WeakKeyDictionary[Any, list[_Call]] = (
    weakref.WeakKeyDictionary())


def current_waiter() -> AnswerWaiter | None:
    """The :class:`AnswerWaiter` of the green call running now, or None
    outside :func:`run`."""
    current = greenlet.getcurrent()
    return current.answers if isinstance(current, _Call) else None


def run(func: Callable[[K], T], keys: list[K], timeout: float | None,
        workers: int,
        call: Callable[[Callable[[K], T], K], T | BaseException]
        ) -> dict[K, T | BaseException]:
    """Run ``call(func, key)`` for every key, at most ``workers`` at once,
    each in a green call; return what each gave, or a ``TimeoutError``
    for a call not finished ``timeout`` seconds after the start (a call
    under way is left to finish on its own; one not started is not
    started). At most ``workers`` idle green calls are kept for later
    runs."""
    if not keys:
        return {}
    return _Run(func, keys, call, workers).wait(timeout)


class _Run:
    """The green calls of one :func:`run`. Nothing here refers back to
    itself, and an idle green call holds nothing of the run it served:
    what the calls read is freed with the run's last reference, not left
    for the cycle collector."""

    def __init__(self, func: Callable[[K], T], keys: list[K],
                 call: Callable[[Callable[[K], T], K], T | BaseException],
                 workers: int) -> None:
        self.func = func
        self.call = call
        self.keys = keys
        self.workers = workers
        self.queue = keys[::-1]
        self.results: dict[K, T | BaseException] = {}
        self.left = len(keys)
        self.done = event.Event()
        self.hub = hubs.get_hub()
        #: the idle green calls of the hub
        self.idle = _IDLE.setdefault(self.hub, [])
        self.answers = AnswerWaiter()

    def wait(self, timeout: float | None) -> dict[K, T | BaseException]:
        for _ in range(min(self.workers, len(self.queue))):
            self._start(self.queue.pop())
        with eventlet_timeout.Timeout(timeout, False):
            self.done.wait()
        # not started by now: not started at all
        self.left -= len(self.queue)
        self.queue.clear()
        results = self.results
        return {key: results[key] if key in results
                else TimeoutError(f'no answer in {timeout}s')
                for key in self.keys}

    def _start(self, key: K) -> None:
        """Have an idle green call, or a new one, make the call of
        ``key``."""
        green = self.idle.pop() if self.idle else _Call(
            _serve, parent=self.hub.greenlet)
        self.hub.schedule_call_global(0, green.switch, self, key)

    def one(self, key: K) -> None:
        """Make the call of ``key``; the run is done after its last."""
        try:
            self.results[key] = self.call(self.func, key)
        except BaseException:
            # the green call making it ends here (killed): another takes
            # the run's next key
            if self.queue:
                self._start(self.queue.pop())
            raise
        finally:
            self.left -= 1
            if not self.left:
                self.answers.close()
                self.done.send()


def _serve(run: _Run, key: Any) -> None:
    """The life of a green call: the calls of a run, taken from its
    queue while some are left, then a wait in the idle list for the next
    run (or the end, with enough idle already)."""
    me = greenlet.getcurrent()
    hub = run.hub
    while True:
        me.answers = run.answers
        while True:
            run.one(key)
            if not run.queue:
                break
            key = run.queue.pop()
        me.answers = None
        idle = run.idle
        if len(idle) >= run.workers:
            return
        del run, key
        idle.append(me)
        run, key = hub.switch()


def _ignore(*_args: object) -> None:
    """A hub callback with nothing to do: the poll set's descriptor is
    closed only by its waiter, once its run's calls have all ended."""
