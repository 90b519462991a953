"""Canned Nova pods on loopback: one process serving many ports.

Each port is a pod answering, as Nova v2.1 does (HTTP/1.1 keep-alive,
TCP_NODELAY):

- ``GET /`` and ``GET /v2.1``: version documents;
- ``GET /v2.1/servers/detail``: its servers sorted by ``sort_key`` /
  ``sort_dir`` (default ``created_at`` then ``uuid``, descending), paged
  by ``limit`` and ``marker``, with Nova's next link when the page is
  full (filters such as ``all_tenants`` are accepted and ignored);
- ``GET /v2.1/servers/<id>``: one server;
- ``GET /v2.1/flavors/<id>``: a flavor of that id (the gateway asks
  whether a pod offers the flavor of a create before binding it);
- ``POST /v2.1/servers/<id>/action``: 202 with no body (the body is
  read and not looked at);
- ``POST /v2.1/servers``: 202 with a new server id (not listed after).

Answers are built once per distinct request line and then replayed, so a
benchmark measures the gateway's work, not the pods'. Server ``j`` of
pod ``i`` (from 1) was created ``j * 1000 + i`` seconds after a fixed
time, so the servers of several pods interleave in the merged order.
The listening sockets are bound before the serving process starts, so
ports are known at once and early connections wait in the backlog.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import multiprocessing
import signal
import socket
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Any

#: counters kept by the serving process, in this order
KINDS = ('connections', 'versions', 'lists', 'shows', 'actions',
         'creates')
PROJECT_ID = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
USER_ID = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'
MAX_LIMIT = 1000
_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
_NAMESPACE = uuid.UUID('6c1f9a4e-0a59-4c43-9d55-1e43a1f1d0b7')
#: sort key -> the record field a canned pod sorts by
_FIELDS = {'created_at': 'created', 'updated_at': 'updated', 'uuid': 'id',
           'display_name': 'name'}


def server_id(pod: int, index: int) -> str:
    """The id of server ``index`` of pod ``pod``."""
    return str(uuid.uuid5(_NAMESPACE, f'{pod}/{index}'))


def _isotime(seconds: int) -> str:
    return (_EPOCH + datetime.timedelta(seconds=seconds)).strftime(
        '%Y-%m-%dT%H:%M:%SZ')


def server(pod: int, index: int, base: str) -> dict[str, Any]:
    """A Nova 2.1 server detail record (about 1.4 KB) whose hrefs start
    with ``base``, the pod's URL without version."""
    ident = server_id(pod, index)
    created = _isotime(index * 1000 + pod)
    image = '70a599e0-31e7-49b7-b260-868f441e862b'
    return {
        'id': ident, 'name': f'vm-{pod}-{index}', 'status': 'ACTIVE',
        'tenant_id': PROJECT_ID, 'user_id': USER_ID, 'metadata': {},
        'hostId': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495',
        'image': {'id': image, 'links': [
            {'rel': 'bookmark', 'href': f'{base}/images/{image}'}]},
        'flavor': {'id': '1', 'links': [
            {'rel': 'bookmark', 'href': f'{base}/flavors/1'}]},
        'created': created, 'updated': created,
        'addresses': {'private': [
            {'version': 4, 'addr': f'10.{pod % 256}.{index // 256}.'
                                   f'{index % 256}',
             'OS-EXT-IPS:type': 'fixed',
             'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:4c:2c:30'}]},
        'accessIPv4': '', 'accessIPv6': '',
        'links': [
            {'rel': 'self', 'href': f'{base}/v2.1/servers/{ident}'},
            {'rel': 'bookmark', 'href': f'{base}/servers/{ident}'}],
        'OS-DCF:diskConfig': 'MANUAL', 'progress': 0,
        'OS-EXT-AZ:availability_zone': f'pod{pod}-zone',
        'config_drive': '', 'key_name': None,
        'OS-SRV-USG:launched_at': created.replace('Z', '.000000'),
        'OS-SRV-USG:terminated_at': None,
        'security_groups': [{'name': 'default'}],
        'OS-EXT-STS:task_state': None, 'OS-EXT-STS:vm_state': 'active',
        'OS-EXT-STS:power_state': 1,
        'os-extended-volumes:volumes_attached': [],
    }


_ACCEPTED = (b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n'
             b'Content-Length: 0\r\n\r\n')


def _version(base: str) -> dict[str, Any]:
    return {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.96',
            'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
            'links': [{'rel': 'self', 'href': f'{base}/v2.1/'}]}


class CannedPod:
    """One pod's servers and the answers built from them."""

    def __init__(self, records: list[dict[str, Any]], base: str,
                 stats: Any) -> None:
        self.records = records
        self.base = base
        self.stats = stats
        self._by_id = {record['id']: record for record in records}
        self._sorted: dict[tuple[tuple[str, str], ...],
                           list[dict[str, Any]]] = {}
        self._answers: dict[bytes, bytes] = {}

    def answer(self, target: bytes, method: bytes = b'GET') -> bytes:
        """Return the whole HTTP response to ``<method> <target>``."""
        if method == b'POST' and target.rstrip(b'/').endswith(b'/servers'):
            self.stats[KINDS.index('creates')] += 1
            return self._created()
        if method == b'POST':
            self.stats[KINDS.index('actions')] += 1
            return _ACCEPTED
        url = urllib.parse.urlsplit(target.decode('latin-1'))
        path = url.path.rstrip('/')
        if path in ('', '/v2.1'):
            self.stats[KINDS.index('versions')] += 1
        elif path == '/v2.1/servers/detail':
            self.stats[KINDS.index('lists')] += 1
        elif path.startswith('/v2.1/servers/'):
            self.stats[KINDS.index('shows')] += 1
        cached = self._answers.get(target)
        if cached is None:
            status, body = self._route(path, url.query)
            data = json.dumps(body).encode()
            cached = (f'HTTP/1.1 {status}\r\n'
                      'Content-Type: application/json\r\n'
                      f'Content-Length: {len(data)}\r\n\r\n').encode() + data
            self._answers[target] = cached
        return cached

    def _created(self) -> bytes:
        ident = str(uuid.uuid4())
        data = json.dumps({'server': {
            'id': ident, 'adminPass': 'canned', 'OS-DCF:diskConfig': 'MANUAL',
            'security_groups': [{'name': 'default'}],
            'links': [
                {'rel': 'self', 'href': f'{self.base}/v2.1/servers/{ident}'},
                {'rel': 'bookmark', 'href': f'{self.base}/servers/{ident}'}],
        }}).encode()
        return (b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n'
                b'Location: ' + f'{self.base}/v2.1/servers/{ident}'.encode()
                + f'\r\nContent-Length: {len(data)}\r\n\r\n'.encode() + data)

    def _route(self, path: str, query: str) -> tuple[str, Any]:
        if path == '':
            return '200 OK', {'versions': [_version(self.base)]}
        if path == '/v2.1':
            return '200 OK', {'version': _version(self.base)}
        if path == '/v2.1/servers/detail':
            return self._list(urllib.parse.parse_qs(query))
        if path.startswith('/v2.1/flavors/'):
            flavor = path.removeprefix('/v2.1/flavors/')
            return '200 OK', {'flavor': {
                'id': flavor, 'name': f'bench-{flavor}', 'ram': 512,
                'vcpus': 1, 'disk': 1, 'links': []}}
        record = self._by_id.get(path.removeprefix('/v2.1/servers/'))
        if record is None:
            return '404 Not Found', {'itemNotFound': {
                'code': 404, 'message': 'Instance could not be found.'}}
        return '200 OK', {'server': record}

    def _list(self, params: dict[str, list[str]]) -> tuple[str, Any]:
        keys = params.get('sort_key') or ['created_at', 'uuid']
        dirs = params.get('sort_dir') or ['desc']
        dirs += [dirs[0]] * (len(keys) - len(dirs))
        order = tuple(zip(keys, dirs, strict=False))
        records = self._sorted.get(order)
        if records is None:
            records = list(self.records)
            for key, direction in reversed(order):
                field = _FIELDS.get(key)
                if field is not None:
                    records.sort(key=lambda r, f=field: r[f] or '',
                                 reverse=direction == 'desc')
            self._sorted[order] = records
        limit = min(int(params.get('limit', [MAX_LIMIT])[0]), MAX_LIMIT)
        start = 0
        if 'marker' in params:
            marker = params['marker'][0]
            ids = [record['id'] for record in records]
            if marker not in ids:
                return '400 Bad Request', {'badRequest': {
                    'code': 400, 'message': f'marker [{marker}] not found'}}
            start = ids.index(marker) + 1
        page = records[start:start + limit]
        body: dict[str, Any] = {'servers': page}
        if page and len(page) == limit:
            next_query = urllib.parse.urlencode(
                [(n, v) for n, values in params.items() if n != 'marker'
                 for v in values] + [('marker', page[-1]['id'])])
            body['servers_links'] = [{
                'rel': 'next',
                'href': f'{self.base}/v2.1/servers/detail?{next_query}'}]
        return '200 OK', body


class _Protocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive, answered by one pod."""

    def __init__(self, pod: CannedPod, latency: float) -> None:
        self.pod = pod
        self.latency = latency
        self.buffer = b''
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        # Nagle plus delayed ACKs would add ~40 ms to keep-alive answers
        transport.get_extra_info('socket').setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pod.stats[KINDS.index('connections')] += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head, found, rest = self.buffer.partition(b'\r\n\r\n')
            if not found:
                return
            lines = head.split(b'\r\n')
            headers = dict(line.lower().split(b':', 1)
                           for line in lines[1:] if b':' in line)
            length = int(headers.get(b'content-length', b'0'))
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            method, target = lines[0].split(b' ')[:2]
            answer = self.pod.answer(target, method)
            close = headers.get(b'connection', b'').strip() == b'close'
            if self.latency:
                # every answer waits the same: their order is kept
                loop = asyncio.get_running_loop()
                loop.call_later(self.latency, self._send, answer, close)
            else:
                self._send(answer, close)
            if close:
                return

    def _send(self, answer: bytes, close: bool) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(answer)
        if close:
            self.transport.close()


def _serve(sockets: Sequence[socket.socket], pods: Sequence[Sequence[int]],
           servers: int, stats: Any, latency: float) -> None:
    """Serve pod ``pods[k]`` (the union of those pod numbers) on
    ``sockets[k]`` until terminated."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sock, members in zip(sockets, pods, strict=True):
            base = f'http://127.0.0.1:{sock.getsockname()[1]}'
            records = [server(pod, index, base) for pod in members
                       for index in range(servers)]
            canned = CannedPod(records, base, stats)
            await loop.create_server(
                lambda c=canned: _Protocol(c, latency), sock=sock)
        await asyncio.Event().wait()

    asyncio.run(main())


class CannedNova:
    """Pods ``1..pods`` with ``servers`` servers each, plus a *union*
    pod holding all of them (the baseline: one Nova with every server),
    served by one child process.

    Use as a context manager; :attr:`urls` are the pods' compute URLs
    without version, :attr:`union_url` the union pod's. Every answer is
    sent ``latency`` seconds after its request was read.
    """

    def __init__(self, pods: int, servers: int,
                 latency: float = 0.0) -> None:
        self.pods = pods
        self.servers = servers
        self.stats = multiprocessing.RawArray('q', len(KINDS))
        self._sockets = [socket.create_server(('127.0.0.1', 0), backlog=512)
                         for _ in range(pods + 1)]
        urls = [f'http://127.0.0.1:{s.getsockname()[1]}'
                for s in self._sockets]
        self.urls, self.union_url = urls[:-1], urls[-1]
        members = [[pod] for pod in range(1, pods + 1)]
        members.append(list(range(1, pods + 1)))
        self._process = multiprocessing.Process(
            target=_serve, args=(self._sockets, members, servers,
                                 self.stats, latency),
            name='canned-nova', daemon=True)

    @property
    def pid(self) -> int | None:
        """The serving process's id once started."""
        return self._process.pid

    def counters(self) -> dict[str, int]:
        """Return the serving process's counters so far."""
        return dict(zip(KINDS, self.stats, strict=True))

    def __enter__(self) -> CannedNova:
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
