"""The HTTP transport of pod calls: HTTP/1.1 on kept-alive sockets, one
pool per pod endpoint, mounted on the connector's ``requests`` session.

``requests``' own adapter reaches a socket through urllib3's pool,
retry and response layers and ``http.client``'s e-mail header parser,
which cost more per call than a pod on loopback takes to answer. This
adapter writes the request line and headers itself and reads the answer
with a buffered reader: status line, headers, then the body by
``Content-Length``, chunks, or until the pod closes (gzip and deflate
bodies are decoded). A kept-alive socket the pod has closed is found
before it is used; a request is never sent twice.
"""

from __future__ import annotations

import os
import re
import select
import socket
import ssl
import sys
import zlib
from collections.abc import Iterable
from typing import IO
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from trio2o_core.plugin import jsoncodec

#: a request target or header that could smuggle a line into the request
_UNSAFE = re.compile(r'[\x00-\x20\x7f]')
_UNSAFE_VALUE = re.compile(r'[\r\n\x00]')
_NO_BODY = frozenset((204, 304))
#: methods a pod may be sent twice (RFC 9110 safe methods)
_SAFE = frozenset(('GET', 'HEAD', 'OPTIONS'))
_CHUNK = 65536
_MAX_LINE = 65536
_DEFAULT_PORTS = {'http': 80, 'https': 443}


class PodNotReached(requests.exceptions.ConnectionError):
    """No connection to the pod could be made: nothing was sent."""


class _Unanswered(Exception):
    """The pod closed the connection before answering; ``unsent``: the
    request could not even be written."""

    def __init__(self, message: str, unsent: bool) -> None:
        super().__init__(message)
        self.unsent = unsent


class PodResponse(requests.Response):
    """A pod's answer (a ``requests.Response``) whose JSON is read with
    :mod:`jsoncodec`."""

    def json(self, **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return jsoncodec.loads(self.content)
            except ValueError:
                pass  # the standard library's error, or another encoding
        return super().json(**kwargs)


class PodAdapter(requests.adapters.BaseAdapter):
    """Send prepared requests over pooled sockets.

    :param pool_size: idle sockets kept per endpoint (scheme, host, port).
    """

    def __init__(self, pool_size: int = 64) -> None:
        super().__init__()
        self.pool_size = pool_size
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._tls: dict[tuple[Any, Any], ssl.SSLContext] = {}

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        """Send ``request``; return the answer, its body read unless
        ``stream`` (then read it from :attr:`raw` and close it).

        :raises PodNotReached: no connection could be made.
        :raises requests.ConnectTimeout: connecting took too long.
        :raises requests.ReadTimeout: the pod took too long to answer.
        :raises requests.ConnectionError: the pod closed the connection
            or answered something that is not HTTP.
        :raises requests.exceptions.InvalidHeader: a header or the URL
            holds a line break or a character HTTP forbids there.
        """
        scheme, host, port, target = _split(request.url or '')
        head = _head(request, host, port, scheme, target)
        connect, read = (timeout if isinstance(timeout, tuple)
                         else (timeout, timeout))
        connection = self._pooled((scheme, host, port))
        if connection is not None:
            try:
                return self._exchange(connection, request, head, read,
                                      stream)
            except _Unanswered as exc:
                # the pod closed the kept-alive socket as it was used: send
                # again what it cannot have taken, or may take twice
                replayable = isinstance(request.body, (bytes, str, type(None)))
                if not replayable or not (exc.unsent
                                          or request.method in _SAFE):
                    raise requests.ConnectionError(str(exc)) from None
        connection = self._connect(scheme, host, port, connect, verify, cert)
        try:
            return self._exchange(connection, request, head, read, stream)
        except _Unanswered as exc:
            raise requests.ConnectionError(str(exc)) from None

    def _exchange(self, connection: _Connection,
                  request: requests.PreparedRequest, head: bytes,
                  timeout: float | None, stream: bool) -> requests.Response:
        try:
            connection.settimeout(timeout)
            try:
                _write(connection.sock, head, request.body)
            except TimeoutError:
                raise
            except OSError as exc:
                raise _Unanswered(f'sending to the pod failed: {exc}',
                                  unsent=True) from None
            return self._answer(request, connection, stream)
        except _Unanswered:
            connection.close()
            raise
        except TimeoutError:
            connection.close()
            raise requests.exceptions.ReadTimeout(
                'the pod did not answer in time') from None
        except (OSError, ValueError) as exc:
            connection.close()
            raise requests.ConnectionError(
                f'the pod\'s answer could not be read: {exc}') from None

    def close(self) -> None:
        """Close every idle socket."""
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def release(self, connection: _Connection) -> None:
        """Keep ``connection`` (its answer wholly read) for a later call."""
        idle = self._idle.setdefault(connection.key, [])
        if len(idle) < self.pool_size:
            idle.append(connection)
        else:
            connection.close()

    def _pooled(self, key: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if connection.alive():
                return connection
            connection.close()
        return None

    def _connect(self, scheme: str, host: str, port: int,
                 timeout: float | None, verify: Any,
                 cert: Any) -> _Connection:
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError:
            raise requests.exceptions.ConnectTimeout(
                f'connecting to {host}:{port} timed out') from None
        except OSError as exc:
            raise PodNotReached(f'cannot connect to {host}:{port}: '
                                f'{exc}') from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == 'https':
            try:
                sock = self._context(verify, cert).wrap_socket(
                    sock, server_hostname=host)
            except TimeoutError:
                sock.close()
                raise requests.exceptions.ConnectTimeout(
                    f'TLS with {host}:{port} timed out') from None
            except OSError as exc:  # ssl.SSLError included: nothing sent
                sock.close()
                raise PodNotReached(f'TLS with {host}:{port}: {exc}') \
                    from None
        return _Connection((scheme, host, port), sock)

    def _context(self, verify: Any, cert: Any) -> ssl.SSLContext:
        key = (verify, cert if not isinstance(cert, list) else tuple(cert))
        context = self._tls.get(key)
        if context is None:
            if verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif isinstance(verify, str):
                where = 'capath' if os.path.isdir(verify) else 'cafile'
                context = ssl.create_default_context(**{where: verify})
            else:
                context = ssl.create_default_context(
                    cafile=requests.certs.where())
            if cert:
                chain = (cert,) if isinstance(cert, str) else tuple(cert)
                context.load_cert_chain(*chain)
            self._tls[key] = context
        return context

    def _answer(self, request: requests.PreparedRequest,
                connection: _Connection, stream: bool) -> requests.Response:
        reader = connection.reader
        while True:
            line = reader.readline(_MAX_LINE + 1)
            if not line:
                raise _Unanswered('the pod closed the connection without '
                                  'answering', unsent=False)
            version, status, reason = _status_line(line)
            headers = _headers(reader)
            if not 100 <= status < 200 or status == 101:
                break
        reply = PodResponse()
        reply.status_code = status
        reply.reason = reason
        reply.headers = headers
        reply.url = request.url
        reply.request = request
        reply.encoding = requests.utils.get_encoding_from_headers(headers)
        reusable = (version == 'HTTP/1.1'
                    and 'close' not in headers.get('Connection', '').lower())
        body = _Body(self, connection, _length(request, status, headers),
                     reusable, headers.get('Content-Encoding', ''))
        if stream:
            reply.raw = body
        else:
            reply._content = body.read_all()
            reply._content_consumed = True
        return reply


class _Connection:
    """One socket to a pod endpoint and its buffered reader."""

    __slots__ = ('key', 'reader', 'sock')

    def __init__(self, key: tuple[str, str, int], sock: socket.socket
                 ) -> None:
        self.key = key
        self.sock = sock
        self.reader = sock.makefile('rb', buffering=_CHUNK)

    def settimeout(self, timeout: float | None) -> None:
        self.sock.settimeout(timeout)

    def alive(self) -> bool:
        """Whether the socket is still open with nothing unread: a pod
        that closed an idle connection makes it readable (at its end)."""
        try:
            readable, _, _ = _unpatched_select()(
                [self.sock.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass


class _Body:
    """An answer's body, read from its connection: ``read(n)`` gives up
    to ``n`` bytes, ``b''`` at the end; the connection goes back to the
    pool when the body has been read whole, and is closed otherwise."""

    def __init__(self, adapter: PodAdapter, connection: _Connection,
                 length: int | None, reusable: bool, encoding: str) -> None:
        self._adapter = adapter
        self._connection: _Connection | None = connection
        self._reader = connection.reader
        #: bytes left of a sized body; None: chunked; -1: until closed
        self._left = length
        self._chunk_left = 0
        self._reusable = reusable and length != -1
        encoding = encoding.strip().lower()
        self._decoder = (zlib.decompressobj(16 + zlib.MAX_WBITS)
                         if encoding == 'gzip'
                         else zlib.decompressobj()
                         if encoding == 'deflate' else None)
        if length == 0:
            self._finish()

    def read(self, amount: int = _CHUNK) -> bytes:
        """Return up to ``amount`` bytes of the body (decoded)."""
        while True:
            data = self._read_raw(amount)
            if self._decoder is None or not data:
                if not data and self._decoder is not None:
                    return self._decoder.flush()
                return data
            data = self._decoder.decompress(data)
            if data:
                return data

    def read_all(self) -> bytes:
        """Return the whole body (decoded)."""
        if self._connection is None:
            return b''
        if self._left is not None and self._left > 0 \
                and self._decoder is None:
            data = self._reader.read(self._left)
            if len(data) < self._left:
                raise ValueError('it closed the connection mid-body')
            self._left = 0
            self._finish()
            return data
        return b''.join(iter(lambda: self.read(_CHUNK), b''))

    def close(self) -> None:
        """Drop the rest of the body and the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def release_conn(self) -> None:
        """As :meth:`close` (what ``requests`` calls on a closed answer)."""
        self.close()

    def _read_raw(self, amount: int) -> bytes:
        if self._connection is None:
            return b''
        if self._left is None:
            return self._read_chunk(amount)
        if self._left == -1:
            data = self._reader.read1(amount)
            if not data:
                self._finish()
            return data
        data = self._reader.read1(min(amount, self._left))
        if not data:
            raise ValueError('it closed the connection mid-body')
        self._left -= len(data)
        if self._left == 0:
            self._finish()
        return data

    def _read_chunk(self, amount: int) -> bytes:
        if self._chunk_left == 0:
            line = self._reader.readline(_MAX_LINE + 1)
            try:
                size = int(line.split(b';', 1)[0].strip(), 16)
            except ValueError:
                raise ValueError('a chunk size is not hexadecimal') \
                    from None
            if size == 0:
                while self._reader.readline(_MAX_LINE + 1) not in (
                        b'\r\n', b'\n', b''):
                    pass  # trailers
                self._finish()
                return b''
            self._chunk_left = size
        data = self._reader.read1(min(amount, self._chunk_left))
        if not data:
            raise ValueError('it closed the connection mid-chunk')
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self._reader.readline(_MAX_LINE + 1)
        return data

    def _finish(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._reusable:
            self._adapter.release(connection)
        else:
            connection.close()


def _unpatched_select() -> Any:
    """The standard library's ``select``, even under eventlet: a pooled
    socket's check must not wait for the hub."""
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is not None and patcher.is_monkey_patched('select'):
        return patcher.original('select').select
    return select.select


def _split(url: str) -> tuple[str, str, int, str]:
    scheme, _, rest = url.partition('://')
    authority, slash, path = rest.partition('/')
    target = slash + path if slash else '/'
    target = target.split('#', 1)[0]
    host, colon, port = authority.rpartition(':')
    if not colon or ']' in port:
        host, port = authority, ''
    host = host.strip('[]')
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise requests.exceptions.InvalidURL(f'not a pod URL: {url!r}')
    try:
        number = int(port) if port else _DEFAULT_PORTS[scheme]
    except ValueError:
        raise requests.exceptions.InvalidURL(
            f'not a pod URL: {url!r}') from None
    return scheme, host, number, target


def _head(request: requests.PreparedRequest, host: str, port: int,
          scheme: str, target: str) -> bytes:
    if _UNSAFE.search(target) or _UNSAFE.search(request.method or ''):
        raise requests.exceptions.InvalidURL(
            f'unsafe request line: {request.method} {target!r}')
    headers = request.headers
    lines = [f'{request.method} {target} HTTP/1.1']
    if 'Host' not in headers:
        name = f'[{host}]' if ':' in host else host
        lines.append(f'Host: {name}' if port == _DEFAULT_PORTS[scheme]
                     else f'Host: {name}:{port}')
    body = request.body
    if body is None:
        if (request.method in ('POST', 'PUT', 'PATCH')
                and 'Content-Length' not in headers):
            lines.append('Content-Length: 0')
    elif isinstance(body, (bytes, str)):
        if 'Content-Length' not in headers:
            lines.append(f'Content-Length: {len(_bytes(body))}')
    elif ('Content-Length' not in headers
          and 'Transfer-Encoding' not in headers):
        lines.append('Transfer-Encoding: chunked')
    for name, value in headers.items():
        if value is None:
            continue
        value = str(value)
        if _UNSAFE_VALUE.search(value) or _UNSAFE.search(name):
            raise requests.exceptions.InvalidHeader(
                f'header {name!r} holds a line break')
        lines.append(f'{name}: {value}')
    lines.append('\r\n')
    try:
        return '\r\n'.join(lines).encode('latin-1')
    except UnicodeEncodeError:
        raise requests.exceptions.InvalidHeader(
            'a header is not Latin-1 text') from None


def _bytes(body: bytes | str) -> bytes:
    return body.encode('utf-8') if isinstance(body, str) else body


def _write(sock: socket.socket, head: bytes,
           body: bytes | str | IO[bytes] | Iterable[bytes] | None) -> None:
    if body is None:
        sock.sendall(head)
    elif isinstance(body, (bytes, str)):
        sock.sendall(head + _bytes(body))
    else:
        sock.sendall(head)
        chunked = b'Transfer-Encoding: chunked' in head
        read = getattr(body, 'read', None)
        pieces: Iterable[Any] = (iter(lambda: read(_CHUNK), b'')
                                 if read is not None else body)
        for piece in pieces:
            piece = _bytes(piece)
            if not piece:
                continue
            if chunked:
                sock.sendall(b'%x\r\n%b\r\n' % (len(piece), piece))
            else:
                sock.sendall(piece)
        if chunked:
            sock.sendall(b'0\r\n\r\n')


def _status_line(line: bytes) -> tuple[str, int, str]:
    if len(line) > _MAX_LINE:
        raise ValueError('its status line is too long')
    parts = line.decode('latin-1').rstrip('\r\n').split(' ', 2)
    if len(parts) < 2 or not parts[0].startswith('HTTP/'):
        raise ValueError(f'it answered {line[:80]!r}')
    try:
        status = int(parts[1])
    except ValueError:
        raise ValueError(f'it answered {line[:80]!r}') from None
    return parts[0], status, parts[2] if len(parts) > 2 else ''


def _headers(reader: Any) -> CaseInsensitiveDict[str]:
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    while True:
        line = reader.readline(_MAX_LINE + 1)
        if line in (b'\r\n', b'\n'):
            return headers
        if not line or len(line) > _MAX_LINE:
            raise ValueError('its headers are cut or too long')
        name, colon, value = line.decode('latin-1').partition(':')
        if not colon:
            raise ValueError(f'a header line is {line[:80]!r}')
        name, value = name.strip(), value.strip()
        if name in headers:
            headers[name] = f'{headers[name]}, {value}'
        else:
            headers[name] = value


def _length(request: requests.PreparedRequest, status: int,
            headers: CaseInsensitiveDict[str]) -> int | None:
    """The body's length: a number, None for chunks, -1 until closed."""
    if request.method == 'HEAD' or status in _NO_BODY:
        return 0
    if 'chunked' in headers.get('Transfer-Encoding', '').lower():
        return None
    length = headers.get('Content-Length')
    if length is None:
        return -1
    try:
        value = int(length.split(',')[0])
    except ValueError:
        raise ValueError(f'its Content-Length is {length!r}') from None
    if value < 0:
        raise ValueError(f'its Content-Length is {length!r}')
    return value
