"""The fault proxy's hold mode against a counting upstream on loopback."""

from __future__ import annotations

import concurrent.futures
import http.server
import socketserver
import threading
from collections.abc import Iterator

import pytest
import requests

from trio2o_core.testing.faultproxy import FaultProxy


class _Upstream(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    seen: list[str]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server: _Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.server.seen.append(self.command)
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')

    do_GET = do_POST = _answer


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream(('127.0.0.1', 0), _Handler)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(upstream: _Upstream) -> Iterator[tuple[FaultProxy, str]]:
    faulty = FaultProxy('test')
    route = faulty.add_route(
        f'http://127.0.0.1:{upstream.server_address[1]}')
    yield faulty, route.url
    faulty.clear()
    faulty.close()


def _post(url: str) -> int | None:
    try:
        return requests.post(url + '/x', data=b'{}', timeout=10).status_code
    except requests.ConnectionError:
        return None


@pytest.mark.parametrize('answer', [False, True], ids=['request', 'answer'])
@pytest.mark.parametrize('forward', [False, True],
                         ids=['dropped', 'forwarded'])
def test_held_post_ends_as_released(upstream, proxy, answer, forward):
    faulty, url = proxy
    faulty.hold(methods=['POST'], answer=answer)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        posted = pool.submit(_post, url)
        faulty.wait_held(timeout=10)
        # the other methods pass meanwhile
        assert requests.get(url + '/y', timeout=10).status_code == 200
        assert upstream.seen == (['POST', 'GET'] if answer else ['GET'])
        faulty.release(forward=forward)
        assert posted.result(10) == (200 if forward else None)
    assert upstream.seen.count('POST') == (1 if answer or forward else 0)
    assert faulty.mode == 'pass'
    assert _post(url) == 200


def test_wait_held_times_out(proxy):
    faulty, _ = proxy
    faulty.hold()
    with pytest.raises(TimeoutError):
        faulty.wait_held(timeout=0.2)
