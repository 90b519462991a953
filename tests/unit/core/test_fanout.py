"""Parallel pod calls: a thread pool, or green threads under eventlet."""

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from trio2o_core.pods import fanout
from trio2o_core.pods.fanout import Fanout

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


@pytest.fixture
def pool():
    return Fanout(workers=4)


def test_not_patched_in_a_plain_process():
    assert not fanout.eventlet_patched()


def test_no_keys_no_calls(pool):
    assert pool.run(lambda key: 1 / 0, [], timeout=1) == {}


def test_results_and_exceptions_per_key(pool):
    def call(key):
        if key == 'bad':
            raise ValueError('pod said no')
        return key * 2

    results = pool.run(call, ['a', 'bad', 'c'], timeout=10)

    assert results['a'] == 'aa'
    assert results['c'] == 'cc'
    assert isinstance(results['bad'], ValueError)
    assert str(results['bad']) == 'pod said no'


def test_calls_run_concurrently(pool):
    everyone = threading.Barrier(3, timeout=10)

    def call(key):
        everyone.wait()
        return threading.current_thread().name

    results = pool.run(call, ['a', 'b', 'c'], timeout=20)

    assert len(set(results.values())) == 3
    assert all(name.startswith('trio2o-fanout') for name in results.values())


def test_at_most_workers_threads():
    names = Fanout(workers=2).run(lambda key: threading.current_thread().name,
                                  range(12), timeout=10)

    assert len(set(names.values())) <= 2


@pytest.mark.parametrize('keys', [['slow'], ['slow', 'fast']])
def test_a_call_past_the_timeout_yields_timeout_error(pool, keys):
    release = threading.Event()

    def call(key):
        if key == 'slow':
            release.wait(30)
        return key

    try:
        results = pool.run(call, keys, timeout=0.2)
    finally:
        release.set()

    assert isinstance(results['slow'], TimeoutError)
    assert str(results['slow']) == 'no answer in 0.2s'
    assert results.get('fast', 'fast') == 'fast'


def test_single_key_without_timeout_runs_in_the_caller(pool):
    results = pool.run(lambda key: threading.current_thread(), ['only'])

    assert results['only'] is threading.current_thread()


GREEN = textwrap.dedent('''
    import eventlet
    eventlet.monkey_patch()

    import json

    import greenlet
    from eventlet import event

    from trio2o_core.pods import fanout

    caller = greenlet.getcurrent()

    started = []
    release = event.Event()

    def call(key):
        started.append(key)
        green = (greenlet.getcurrent() is not caller
                 and fanout.answer_waiter() is not None)
        if key == 'slow':
            release.wait()
        if key == 'bad':
            raise ValueError('pod said no')
        while len(started) < 3:
            eventlet.sleep(0)
        return [key, green]

    results = fanout.Fanout(4).run(call, ['a', 'bad', 'slow'], timeout=0.3)
    release.send()
    print(json.dumps({
        'patched': fanout.eventlet_patched(),
        'results': {key: value if isinstance(value, list)
                    else [type(value).__name__, str(value)]
                    for key, value in results.items()},
    }))
''')


def test_green_threads_when_eventlet_has_patched_the_process():
    done = subprocess.run([sys.executable, '-c', GREEN], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report['patched'] is True
    assert report['results'] == {
        'a': ['a', True],
        'bad': ['ValueError', 'pod said no'],
        'slow': ['TimeoutError', 'no answer in 0.3s'],
    }


BOUNDED = textwrap.dedent('''
    import eventlet
    eventlet.monkey_patch()

    from trio2o_core.pods import fanout

    running, most = [0], [0]

    def call(key):
        running[0] += 1
        most[0] = max(most[0], running[0])
        eventlet.sleep(0.01)
        running[0] -= 1
        return key * 2

    results = fanout.Fanout(2).run(call, [1, 2, 3, 4, 5], timeout=5)
    print(most[0], sorted(results.values()))
''')


def test_green_threads_beyond_the_workers_wait_their_turn():
    done = subprocess.run([sys.executable, '-c', BOUNDED], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split('\n')[-2] == '2 [2, 4, 6, 8, 10]'
