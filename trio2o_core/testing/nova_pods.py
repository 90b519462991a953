"""Stateful fake Nova pods on loopback, for tests that create servers in
bulk through a ``noauth`` gateway.

:class:`NovaPods` serves several pods from one child process, one port
each (a thread per connection, HTTP/1.1 keep-alive). Each pod keeps its
servers in memory and answers, as Nova v2.1 does:

- ``GET /`` and ``GET /v2.1``: version documents;
- ``POST /v2.1/servers``: a new server of the caller's project (the
  ``X-Project-Id`` header, else the project of a ``noauth`` token
  ``user:project``), ``ACTIVE`` at once, created now (to the second, as
  Nova tells creation times); answered 202 after ``create_delay``
  seconds, the server being made before the wait, so a caller that dies
  meanwhile leaves a server it never learnt the id of;
- ``GET /v2.1/servers/detail``: the caller's servers, or every project's
  with ``all_tenants``, newest first, paged by ``limit`` and ``marker``
  with Nova's next link;
- ``GET /v2.1/servers/<id>`` and ``DELETE /v2.1/servers/<id>``;
- ``GET /v2.1/flavors/<id>``: any flavor id exists.

The listening sockets are bound before the serving process starts, so
the ports are known at once and early connections wait in the backlog.
Unlike ``bench/canned_nova.py`` (canned answers replayed, for measuring
the gateway's list), nothing here is cached: it is built for
correctness, not speed.
"""

from __future__ import annotations

import datetime
import http.server
import json
import multiprocessing
import signal
import socket
import socketserver
import threading
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Any

MAX_LIMIT = 1000


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def _version(base: str) -> dict[str, Any]:
    return {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.96',
            'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
            'links': [{'rel': 'self', 'href': f'{base}/v2.1/'}]}


class _Pod:
    """One pod's servers."""

    def __init__(self, name: str, zone: str, base: str,
                 create_delay: float) -> None:
        self.name = name
        self.zone = zone
        self.base = base
        self.create_delay = create_delay
        self.lock = threading.Lock()
        #: server id -> record, oldest first
        self.servers: dict[str, dict[str, Any]] = {}

    def create(self, project_id: str, user_id: str,
               body: dict[str, Any]) -> dict[str, Any]:
        ident = str(uuid.uuid4())
        created = _now()
        request = body.get('server') or {}
        record = {
            'id': ident, 'name': request.get('name', ''),
            'status': 'ACTIVE', 'tenant_id': project_id, 'user_id': user_id,
            'metadata': request.get('metadata') or {},
            'created': created, 'updated': created,
            'image': {'id': request.get('imageRef', '')},
            'flavor': {'id': request.get('flavorRef', '')},
            'addresses': {}, 'accessIPv4': '', 'accessIPv6': '',
            'hostId': '', 'OS-DCF:diskConfig': 'MANUAL', 'progress': 0,
            'OS-EXT-AZ:availability_zone': self.zone,
            'OS-EXT-STS:task_state': None, 'OS-EXT-STS:vm_state': 'active',
            'OS-EXT-STS:power_state': 1, 'key_name': None,
            'security_groups': [{'name': 'default'}],
            'links': self._links(ident),
        }
        with self.lock:
            self.servers[ident] = record
        return record

    def _links(self, ident: str) -> list[dict[str, str]]:
        return [{'rel': 'self', 'href': f'{self.base}/v2.1/servers/{ident}'},
                {'rel': 'bookmark', 'href': f'{self.base}/servers/{ident}'}]

    def listing(self, project_id: str, params: dict[str, list[str]]
                ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            records = list(self.servers.values())
        if 'all_tenants' not in params:
            records = [r for r in records if r['tenant_id'] == project_id]
        # newest first; the insertion order breaks ties of one second
        records = list(reversed(records))
        records.sort(key=lambda r: r['created'], reverse=True)
        try:
            limit = min(int(params.get('limit', [MAX_LIMIT])[0]), MAX_LIMIT)
        except ValueError:
            return 400, _fault('badRequest', 400, 'limit must be an integer')
        start = 0
        if 'marker' in params:
            ids = [r['id'] for r in records]
            marker = params['marker'][0]
            if marker not in ids:
                return 400, _fault('badRequest', 400,
                                   f'marker [{marker}] not found')
            start = ids.index(marker) + 1
        page = records[start:start + limit]
        body: dict[str, Any] = {'servers': page}
        if page and len(page) == limit:
            query = urllib.parse.urlencode(
                [(n, v) for n, values in params.items() if n != 'marker'
                 for v in values] + [('marker', page[-1]['id'])])
            body['servers_links'] = [{
                'rel': 'next',
                'href': f'{self.base}/v2.1/servers/detail?{query}'}]
        return 200, body


def _fault(kind: str, code: int, message: str) -> dict[str, Any]:
    return {kind: {'code': code, 'message': message}}


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 512


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    pod: _Pod

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _identity(self) -> tuple[str, str]:
        user, _, project = self.headers.get('X-Auth-Token', '').partition(
            ':')
        return (self.headers.get('X-User-Id') or user or 'unknown',
                self.headers.get('X-Project-Id') or project or 'unknown')

    def _reply(self, status: int, body: Any | None) -> None:
        data = json.dumps(body).encode() if body is not None else b''
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get('Content-Length') or 0)
        data = self.rfile.read(length) if length else b''
        try:
            return json.loads(data) if data else {}
        except ValueError:
            return None

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip('/')
        pod = self.pod
        if path == '':
            self._reply(200, {'versions': [_version(pod.base)]})
        elif path == '/v2.1':
            self._reply(200, {'version': _version(pod.base)})
        elif path == '/v2.1/servers/detail':
            self._reply(*pod.listing(self._identity()[1],
                                     urllib.parse.parse_qs(url.query)))
        elif path.startswith('/v2.1/servers/'):
            with pod.lock:
                record = pod.servers.get(path.removeprefix('/v2.1/servers/'))
            if record is None:
                self._reply(404, _fault('itemNotFound', 404,
                                        'Instance could not be found.'))
            else:
                self._reply(200, {'server': record})
        elif path.startswith('/v2.1/flavors/'):
            # every flavor id exists (the scheduler asks before binding)
            ident = path.removeprefix('/v2.1/flavors/')
            self._reply(200, {'flavor': {'id': ident, 'name': ident,
                                         'vcpus': 1, 'ram': 512,
                                         'disk': 1}})
        else:
            self._reply(404, _fault('itemNotFound', 404, 'Not found.'))

    def do_POST(self) -> None:
        body = self._body()
        if urllib.parse.urlsplit(self.path).path.rstrip('/') != (
                '/v2.1/servers'):
            self._reply(404, _fault('itemNotFound', 404, 'Not found.'))
            return
        if not isinstance(body, dict) or not isinstance(
                body.get('server'), dict):
            self._reply(400, _fault('badRequest', 400, 'Invalid body.'))
            return
        user, project = self._identity()
        record = self.pod.create(project, user, body)
        if self.pod.create_delay:
            time.sleep(self.pod.create_delay)
        self._reply(202, {'server': {
            'id': record['id'], 'links': record['links'],
            'OS-DCF:diskConfig': 'MANUAL', 'adminPass': 'canned-password',
            'security_groups': [{'name': 'default'}]}})

    def do_DELETE(self) -> None:
        self._body()
        path = urllib.parse.urlsplit(self.path).path.rstrip('/')
        ident = path.removeprefix('/v2.1/servers/')
        with self.pod.lock:
            record = self.pod.servers.pop(ident, None)
        if record is None:
            self._reply(404, _fault('itemNotFound', 404,
                                    'Instance could not be found.'))
        else:
            self._reply(204, None)


def _serve(sockets: Sequence[socket.socket], names: Sequence[str],
           zones: Sequence[str], create_delay: float) -> None:
    """Serve pod ``names[k]`` on ``sockets[k]`` until terminated."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    servers = []
    for sock, name, zone in zip(sockets, names, zones, strict=True):
        base = f'http://127.0.0.1:{sock.getsockname()[1]}'
        pod = _Pod(name, zone, base, create_delay)
        handler = type('Handler', (_Handler,), {'pod': pod})
        server = _Server(sock.getsockname(), handler,
                         bind_and_activate=False)
        server.socket.close()
        server.socket = sock
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Event().wait()


class NovaPods:
    """Pods named ``names`` (their internal zones ``zones``), served by
    one child process. Use as a context manager; :attr:`urls` are the
    pods' compute URLs without version, in the order of ``names``."""

    def __init__(self, names: Sequence[str], zones: Sequence[str],
                 create_delay: float = 0.0) -> None:
        self.names = list(names)
        self._sockets = [socket.create_server(('127.0.0.1', 0), backlog=512)
                         for _ in self.names]
        self.urls = [f'http://127.0.0.1:{s.getsockname()[1]}'
                     for s in self._sockets]
        context = multiprocessing.get_context('fork')
        self._process = context.Process(
            target=_serve, args=(self._sockets, self.names, list(zones),
                                 create_delay),
            name='nova-pods', daemon=True)

    def overrides(self) -> str:
        """``[pods] endpoint_overrides`` naming every pod's compute URL."""
        return ','.join(f'{name}.compute:{url}/v2.1'
                        for name, url in zip(self.names, self.urls,
                                             strict=True))

    def servers(self, name: str) -> list[dict[str, Any]]:
        """Every server pod ``name`` holds, of all projects, asked
        straight (page by page)."""
        import requests

        url = self.urls[self.names.index(name)] + '/v2.1/servers/detail'
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {'all_tenants': '1'}
        while True:
            body = requests.get(url, params=params, timeout=30).json()
            found += body['servers']
            if not body.get('servers_links'):
                return found
            params['marker'] = found[-1]['id']

    def __enter__(self) -> NovaPods:
        self._process.start()
        for sock in self._sockets:
            sock.close()
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
