"""A canned-response HTTP backend on loopback, standing in for pods.

It answers ``GET /`` and ``GET /v2.1`` with compute version documents and every
other GET with a small fixed JSON body, so a benchmark
measures the gateway's own cost, not a pod's.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading

BODY = json.dumps({'servers': []}).encode()


def _version(host: str) -> dict:
    return {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.104',
            'min_version': '2.1',
            'links': [{'rel': 'self', 'href': f'http://{host}/v2.1/'}]}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self) -> None:
        super().setup()
        # headers and body are separate writes: without this, Nagle and
        # delayed ACKs add ~40 ms to every keep-alive answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.rstrip('/')
        host = self.headers.get('Host', '')
        if path == '':
            body = json.dumps({'versions': [_version(host)]}).encode()
        elif path == '/v2.1':
            body = json.dumps({'version': _version(host)}).encode()
        else:
            body = BODY
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class CannedBackend:
    """A threaded HTTP server on 127.0.0.1 answering canned JSON."""

    def __init__(self) -> None:
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      _Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}'
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        daemon=True)

    def __enter__(self) -> CannedBackend:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
