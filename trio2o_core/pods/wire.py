"""HTTP/1.1 on a pod's socket: the request a pod call writes, and its
answer read back with one buffered reader (status line, headers, then
the body by ``Content-Length``, chunks, or until the pod closes; gzip
and deflate bodies decoded). The pooling and the ``requests`` adapter
around them are :mod:`trio2o_core.pods.transport`'s.
"""

from __future__ import annotations

import re
import select
import socket
import sys
import zlib
from collections.abc import Callable
from collections.abc import Iterable
from typing import IO
from typing import Any

import requests

from trio2o_core.pods.headers import Headers

#: a request target or header that could smuggle a line into the request
UNSAFE = re.compile(r'[\x00-\x20\x7f]')
UNSAFE_VALUE = re.compile(r'[\r\n\x00]')
NO_BODY = frozenset((204, 304))
CHUNK = 65536
MAX_LINE = 65536
DEFAULT_PORTS = {'http': 80, 'https': 443}


class Connection:
    """One socket to a pod endpoint and its buffered reader."""

    __slots__ = ('key', 'reader', 'sock')

    def __init__(self, key: tuple[str, str, int], sock: socket.socket
                 ) -> None:
        self.key = key
        self.sock = sock
        self.reader = sock.makefile('rb', buffering=CHUNK)

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

    def await_answer(self, wait: Callable[[int, float | None], None],
                     timeout: float | None) -> None:
        """``wait(descriptor, timeout)`` for the socket to be readable
        (at once when the answer is on it already). Only over plain HTTP:
        a TLS socket may be readable with no answer byte yet, so its read
        waits on its own. Nothing of an answer can have been read ahead:
        a pod answers a request only once it has it.

        :raises TimeoutError: as ``wait`` does.
        """
        if self.key[0] == 'http':
            wait(self.sock.fileno(), timeout)

    def close(self) -> None:
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass


class AnswerBody:
    """An answer's body, read from its connection: ``read(n)`` gives up
    to ``n`` bytes, ``b''`` at the end; the connection is given to
    ``release`` when the body has been read whole, and closed
    otherwise."""

    def __init__(self, release: Callable[[Connection], None],
                 connection: Connection, length: int | None, reusable: bool,
                 encoding: str) -> None:
        self._release = release
        self._connection: Connection | None = connection
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

    def read(self, amount: int = CHUNK) -> bytes:
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
        return b''.join(iter(lambda: self.read(CHUNK), b''))

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
            line = self._reader.readline(MAX_LINE + 1)
            try:
                size = int(line.split(b';', 1)[0].strip(), 16)
            except ValueError:
                raise ValueError('a chunk size is not hexadecimal') \
                    from None
            if size == 0:
                while self._reader.readline(MAX_LINE + 1) not in (
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
            self._reader.readline(MAX_LINE + 1)
        return data

    def _finish(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._reusable:
            self._release(connection)
        else:
            connection.close()


def _unpatched_select() -> Any:
    """The standard library's ``select``, even under eventlet: a pooled
    socket's check must not wait for the hub."""
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is not None and patcher.is_monkey_patched('select'):
        return patcher.original('select').select
    return select.select


def split_url(url: str) -> tuple[str, str, int, str]:
    """Return a pod URL's scheme, host, port and request target.

    :raises requests.exceptions.InvalidURL: not an http(s) URL.
    """
    scheme, _, rest = url.partition('://')
    authority, slash, path = rest.partition('/')
    target = slash + path if slash else '/'
    target = target.split('#', 1)[0]
    host, colon, port = authority.rpartition(':')
    if not colon or ']' in port:
        host, port = authority, ''
    host = host.strip('[]')
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        raise requests.exceptions.InvalidURL(f'not a pod URL: {url!r}')
    try:
        number = int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        raise requests.exceptions.InvalidURL(
            f'not a pod URL: {url!r}') from None
    return scheme, host, number, target


def request_head(request: requests.PreparedRequest, host: str,
                 port: int, scheme: str, target: str) -> bytes:
    """Return the request line and headers of ``request``, its framing
    (``Host``, ``Content-Length`` or chunks) added.

    :raises requests.exceptions.InvalidURL: the method or target could
        smuggle a line.
    :raises requests.exceptions.InvalidHeader: a header could, or is
        not Latin-1.
    """
    if UNSAFE.search(target) or UNSAFE.search(request.method or ''):
        raise requests.exceptions.InvalidURL(
            f'unsafe request line: {request.method} {target!r}')
    headers = request.headers
    pairs = (headers.pairs() if isinstance(headers, Headers)
             else list(headers.items()))
    lines = [f'{request.method} {target} HTTP/1.1']
    if 'Host' not in headers:
        name = f'[{host}]' if ':' in host else host
        lines.append(f'Host: {name}' if port == DEFAULT_PORTS[scheme]
                     else f'Host: {name}:{port}')
    body = request.body
    if body is None:
        if (request.method in ('POST', 'PUT', 'PATCH')
                and 'Content-Length' not in headers):
            lines.append('Content-Length: 0')
    elif isinstance(body, (bytes, str)):
        if 'Content-Length' not in headers:
            lines.append(f'Content-Length: {len(to_bytes(body))}')
    elif ('Content-Length' not in headers
          and 'Transfer-Encoding' not in headers):
        lines.append('Transfer-Encoding: chunked')
    pairs = [(name, str(value)) for name, value in pairs
             if value is not None]
    # one search over every name, one over every value
    if (UNSAFE.search(''.join(name for name, _ in pairs))
            or UNSAFE_VALUE.search(''.join(value for _, value in pairs))):
        unsafe = next(name for name, value in pairs
                      if UNSAFE.search(name) or UNSAFE_VALUE.search(value))
        raise requests.exceptions.InvalidHeader(
            f'header {unsafe!r} holds a line break')
    lines.extend(f'{name}: {value}' for name, value in pairs)
    lines.append('\r\n')
    try:
        return '\r\n'.join(lines).encode('latin-1')
    except UnicodeEncodeError:
        raise requests.exceptions.InvalidHeader(
            'a header is not Latin-1 text') from None


def to_bytes(body: bytes | str) -> bytes:
    """``body`` as bytes (text as UTF-8)."""
    return body.encode('utf-8') if isinstance(body, str) else body


def write_request(sock: socket.socket, head: bytes,
                  body: bytes | str | IO[bytes] | Iterable[bytes] | None
                  ) -> None:
    """Send ``head`` and ``body`` (a file or an iterable in chunks when
    ``head`` says so).

    :raises OSError: the socket failed.
    """
    if body is None:
        sock.sendall(head)
    elif isinstance(body, (bytes, str)):
        sock.sendall(head + to_bytes(body))
    else:
        sock.sendall(head)
        chunked = b'Transfer-Encoding: chunked' in head
        read = getattr(body, 'read', None)
        pieces: Iterable[Any] = (iter(lambda: read(CHUNK), b'')
                                 if read is not None else body)
        for piece in pieces:
            piece = to_bytes(piece)
            if not piece:
                continue
            if chunked:
                sock.sendall(b'%x\r\n%b\r\n' % (len(piece), piece))
            else:
                sock.sendall(piece)
        if chunked:
            sock.sendall(b'0\r\n\r\n')


def status_line(line: bytes) -> tuple[str, int, str]:
    """Return an answer's HTTP version, status and reason.

    :raises ValueError: not an HTTP status line.
    """
    if len(line) > MAX_LINE:
        raise ValueError('its status line is too long')
    parts = line.decode('latin-1').rstrip('\r\n').split(' ', 2)
    if len(parts) < 2 or not parts[0].startswith('HTTP/'):
        raise ValueError(f'it answered {line[:80]!r}')
    try:
        status = int(parts[1])
    except ValueError:
        raise ValueError(f'it answered {line[:80]!r}') from None
    return parts[0], status, parts[2] if len(parts) > 2 else ''


def read_headers(reader: Any) -> Headers:
    """Read an answer's headers up to their blank line (repeats joined
    with ``, ``).

    :raises ValueError: a line is not a header, or too long.
    """
    headers = Headers()
    while True:
        line = reader.readline(MAX_LINE + 1)
        if line in (b'\r\n', b'\n'):
            return headers
        if not line or len(line) > MAX_LINE:
            raise ValueError('its headers are cut or too long')
        name, colon, value = line.decode('latin-1').partition(':')
        if not colon:
            raise ValueError(f'a header line is {line[:80]!r}')
        headers.add(name.strip(), value.strip())


def body_length(request: requests.PreparedRequest, status: int,
                headers: Headers) -> int | None:
    """The body's length: a number, None for chunks, -1 until closed.

    :raises ValueError: its ``Content-Length`` is not a length.
    """
    if request.method == 'HEAD' or status in NO_BODY:
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
