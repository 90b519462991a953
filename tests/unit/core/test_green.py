"""Green fan-outs whose pod calls wait for their answers together, in a
process eventlet has patched, against pods on loopback."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from trio2o_core.pods import wire

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

SCENARIOS = textwrap.dedent('''
    import eventlet
    eventlet.monkey_patch()

    import gc
    import json
    import socket
    import time
    import weakref

    import requests
    from eventlet import hubs

    from trio2o_core.pods import fanout
    from trio2o_core.pods import green
    from trio2o_core.pods.connector import PodConnector

    BODY = b'{"servers": []}'

    def pod(delay, answer=True):
        """A pod on loopback answering each request after delay
        seconds (never, unless answer)."""
        listener = eventlet.listen(('127.0.0.1', 0))

        def serve(sock):
            reader = sock.makefile('rb')
            while True:
                line = reader.readline()
                if not line:
                    return
                while reader.readline() not in (b'\\r\\n', b''):
                    pass
                if not answer:
                    eventlet.sleep(60)
                    return
                eventlet.sleep(delay)
                sock.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: '
                             b'application/json\\r\\nContent-Length: '
                             + str(len(BODY)).encode() + b'\\r\\n\\r\\n'
                             + BODY)

        def accept():
            while True:
                sock, _ = listener.accept()
                eventlet.spawn(serve, sock)

        eventlet.spawn(accept)
        return f'http://127.0.0.1:{listener.getsockname()[1]}'

    waits = []
    most_waiting = [0]
    real_wait = green.AnswerWaiter.wait

    def counted(self, fileno, timeout):
        waits.append(timeout)
        most_waiting[0] = max(most_waiting[0], len(self._waiting) + 1)
        return real_wait(self, fileno, timeout)

    green.AnswerWaiter.wait = counted

    def get(connector, url):
        reply = connector.send('GET', url + '/servers')
        return reply.status_code, reply.json()

    def outcome(value):
        if isinstance(value, BaseException):
            return [type(value).__name__, str(value)]
        return value

    report = {}
    hub = hubs.get_hub()

    def waiters_on_hub():
        return sum(isinstance(getattr(listener.cb, '__self__', None),
                              green.AnswerWaiter)
                   for listener in hub.listeners[hub.READ].values())

    # five pods, each answering after 0.3 s: the calls wait together
    urls = [pod(0.3) for _ in range(5)]
    connector = PodConnector(timeout=5)
    results = fanout.Fanout(16).run(lambda url: get(connector, url), urls,
                                    timeout=10)
    report['together'] = {
        'results': [outcome(results[url]) for url in urls],
        'most_waiting': most_waiting[0],
        'waits': len(waits),
        'waiters_on_hub': waiters_on_hub(),
    }

    # the same pods again, over the kept-alive connections
    waits.clear()
    results = fanout.Fanout(16).run(lambda url: get(connector, url), urls,
                                    timeout=10)
    report['again'] = {'results': [outcome(results[url]) for url in urls],
                       'waits': len(waits)}

    # two calls in turn over one kept-alive connection within one run:
    # its socket waits twice in the run's poll set
    waits.clear()
    results = fanout.Fanout(16).run(
        lambda url: [get(connector, url), get(connector, url)], urls[:2],
        timeout=10)
    report['twice'] = {'results': [outcome(results[url]) for url in urls[:2]],
                       'waits': len(waits)}

    # a pod that never answers: its call times out, the others answer
    silent = pod(0, answer=False)
    quick = PodConnector(timeout=0.5)
    started = time.monotonic()
    results = fanout.Fanout(16).run(lambda url: get(quick, url),
                                    [urls[0], silent], timeout=10)
    report['silent'] = {
        'answered': outcome(results[urls[0]]),
        'silent': type(results[silent]).__name__,
        'seconds': time.monotonic() - started,
        'waiters_on_hub': waiters_on_hub(),
    }

    # the run's own deadline: the call under way gives TimeoutError, the
    # one queued behind it (one worker) is never started
    calls = []

    def slow(url):
        calls.append(url)
        return get(connector, url)

    slow_urls = [pod(1.0), pod(1.0)]
    results = fanout.Fanout(1).run(slow, slow_urls, timeout=0.3)
    eventlet.sleep(1.5)
    report['deadline'] = {
        'results': [outcome(results[url]) for url in slow_urls],
        'called': len(calls),
    }

    # what the calls gave is freed with the run, not left for the cycle
    # collector
    class Answer:
        pass

    gc.disable()
    refs = []

    def make(key):
        answer = Answer()
        refs.append(weakref.ref(answer))
        eventlet.sleep(0)
        return answer

    results = fanout.Fanout(16).run(make, range(4), timeout=5)
    del results
    report['freed'] = [ref() is None for ref in refs]
    gc.enable()

    # the green calls are kept for later runs: a second run makes none,
    # and at most a run's workers are kept idle
    made = []
    real_init = green._Call.__init__

    def counted_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    green._Call.__init__ = counted_init

    def step(key):
        eventlet.sleep(0)
        return key

    fanout.Fanout(4).run(step, range(4), timeout=5)
    before = len(made)
    again = fanout.Fanout(4).run(step, range(4), timeout=5)
    made_again = len(made) - before
    fanout.Fanout(2).run(step, range(6), timeout=5)
    report['kept'] = {'again': [again[key] for key in range(4)],
                      'made_again': made_again,
                      'idle_after_two_workers': len(green._IDLE[hub])}
    del made[:]

    # a green call killed by what no call catches hands the run's next
    # key on to another
    class Halt(BaseException):
        pass

    def halting(key):
        if key == 0:
            raise Halt()
        eventlet.sleep(0)
        return key

    results = fanout.Fanout(1).run(halting, range(3), timeout=2)
    report['halted'] = [outcome(results[key]) for key in range(3)]

    print(json.dumps(report))
''')


@pytest.fixture(scope='module')
def report():
    done = subprocess.run([sys.executable, '-c', SCENARIOS], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_calls_wait_for_their_answers_together(report):
    together = report['together']
    assert together['results'] == [[200, {'servers': []}]] * 5
    # one wait per call, in the shared waiter, all five at once
    assert together['waits'] == 5
    assert together['most_waiting'] == 5
    assert together['waiters_on_hub'] == 0


def test_kept_alive_connections_wait_the_same_way(report):
    assert report['again'] == {'results': [[200, {'servers': []}]] * 5,
                               'waits': 5}


def test_one_socket_waits_twice_in_one_run(report):
    answer = [200, {'servers': []}]
    assert report['twice'] == {'results': [[answer, answer]] * 2,
                               'waits': 4}


def test_a_silent_pod_times_out_while_the_others_answer(report):
    silent = report['silent']
    assert silent['answered'] == [200, {'servers': []}]
    assert silent['silent'] == 'ReadTimeout'
    # not before its read timeout (0.5 s)
    assert silent['seconds'] >= 0.5
    assert silent['waiters_on_hub'] == 0


def test_the_runs_deadline_leaves_queued_calls_unstarted(report):
    deadline = report['deadline']
    assert deadline['results'] == [['TimeoutError', 'no answer in 0.3s']] * 2
    assert deadline['called'] == 1


def test_the_calls_results_are_freed_with_the_run(report):
    assert report['freed'] == [True] * 4


def test_green_calls_are_kept_for_later_runs(report):
    kept = report['kept']
    assert kept['again'] == [0, 1, 2, 3]
    assert kept['made_again'] == 0
    assert kept['idle_after_two_workers'] == 2


def test_a_killed_green_call_hands_the_next_key_on(report):
    assert report['halted'] == [['TimeoutError', 'no answer in 2s'], 1, 2]


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield wire.Connection(('http', 'pod', 80), ours), theirs
    ours.close()
    theirs.close()


@pytest.mark.parametrize('arrived', [False, True])
def test_a_plain_http_answer_is_awaited_on_its_socket(pair, arrived):
    # the poll set reports a socket the answer is on already at once
    connection, pod = pair
    if arrived:
        pod.sendall(b'HTTP/1.1 204 No Content\r\n\r\n')
    waits = []

    connection.await_answer(lambda *args: waits.append(args), 4.0)

    assert waits == [(connection.sock.fileno(), 4.0)]
    if arrived:
        assert connection.reader.readline() == b'HTTP/1.1 204 No Content\r\n'


def test_a_tls_connection_reads_as_it_always_has(pair):
    # a TLS socket may be readable with no answer byte yet: its read
    # waits on the hub, as every read did
    connection = wire.Connection(('https', 'pod', 443), pair[0].sock)
    waits = []

    connection.await_answer(lambda *args: waits.append(args), 4.0)

    assert waits == []
