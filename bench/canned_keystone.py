"""A canned Keystone v3 on loopback, enough for keystonemiddleware.

It answers the version documents (``GET /`` and ``GET /v3``), issues a
token to any password authentication (``POST /v3/auth/tokens``) and
validates any token (``GET /v3/auth/tokens``, the ``X-Subject-Token``
header): every token is the member and reader of :data:`PROJECT_ID` as
:data:`USER_ID`, valid for a day. keystonemiddleware caches what it
validated, so under load this server is asked once per token.
"""

from __future__ import annotations

import datetime
import http.server
import json
import threading
from typing import Any

from canned_nova import PROJECT_ID
from canned_nova import USER_ID

#: the token every benchmark client sends
TOKEN = 'bench-token'
_DOMAIN = {'id': 'default', 'name': 'Default'}


def _token(token: str, identity: str) -> dict[str, Any]:
    now = datetime.datetime.now(datetime.UTC)
    stamp = '%Y-%m-%dT%H:%M:%S.000000Z'
    return {'token': {
        'methods': ['password'], 'audit_ids': [token[:22]],
        'user': {'id': USER_ID, 'name': 'bench', 'domain': _DOMAIN,
                 'password_expires_at': None},
        'project': {'id': PROJECT_ID, 'name': 'bench', 'domain': _DOMAIN},
        'roles': [{'id': 'r-member', 'name': 'member'},
                  {'id': 'r-reader', 'name': 'reader'},
                  {'id': 'r-service', 'name': 'service'}],
        'issued_at': now.strftime(stamp),
        'expires_at': (now + datetime.timedelta(days=1)).strftime(stamp),
        'is_domain': False,
        'catalog': [{'type': 'identity', 'name': 'keystone', 'id': 'ks',
                     'endpoints': [{'id': f'ks-{interface}',
                                    'interface': interface,
                                    'region': 'RegionOne',
                                    'region_id': 'RegionOne',
                                    'url': identity}
                                   for interface in ('public', 'internal',
                                                     'admin')]}]}}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any,
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _url(self) -> str:
        return f'http://{self.headers.get("Host", "127.0.0.1")}/v3'

    def _version(self) -> dict[str, Any]:
        host = self.headers.get('Host', '127.0.0.1')
        return {'id': 'v3.14', 'status': 'stable',
                'updated': '2020-04-07T00:00:00Z',
                'links': [{'rel': 'self', 'href': f'http://{host}/v3/'}],
                'media-types': [{
                    'base': 'application/json',
                    'type': 'application/vnd.openstack.identity-v3+json'}]}

    def do_GET(self) -> None:
        path = self.path.split('?')[0].rstrip('/')
        if path == '':
            self._send(300, {'versions': {'values': [self._version()]}})
        elif path == '/v3':
            self._send(200, {'version': self._version()})
        elif path == '/v3/auth/tokens':
            subject = self.headers.get('X-Subject-Token', '')
            self._send(200, _token(subject, self._url()),
                       {'X-Subject-Token': subject})
        else:
            self._send(404, {'error': {'code': 404, 'message': 'not found',
                                       'title': 'Not Found'}})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self._send(201, _token('service-token', self._url()),
                   {'X-Subject-Token': 'service-token'})


class CannedKeystone:
    """The canned Keystone served by a thread of this process; use as a
    context manager. :attr:`url` is its ``/v3`` URL."""

    def __init__(self) -> None:
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                       _Handler)
        self._server.daemon_threads = True
        self.url = f'http://127.0.0.1:{self._server.server_port}/v3'
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name='canned-keystone', daemon=True)

    def __enter__(self) -> CannedKeystone:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
