"""The HTTP transport of pod calls: HTTP/1.1 on kept-alive sockets, one
pool per pod endpoint, mounted on the connector's ``requests`` session.

``requests``' own adapter reaches a socket through urllib3's pool,
retry and response layers and ``http.client``'s e-mail header parser,
which cost more per call than a pod on loopback takes to answer. This
adapter writes the request and reads the answer itself
(:mod:`trio2o_core.pods.wire`). A kept-alive socket the pod has closed
is found before it is used; a request is never sent twice.
"""

from __future__ import annotations

import datetime
import os
import socket
import ssl
from typing import Any

import requests

from trio2o_core.plugin import jsoncodec
from trio2o_core.pods import fanout
from trio2o_core.pods import wire
from trio2o_core.pods.headers import Headers

#: methods a pod may be sent twice (RFC 9110 safe methods)
_SAFE = frozenset(('GET', 'HEAD', 'OPTIONS'))


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
    :mod:`jsoncodec`, made with what the adapter read: its cookie jar
    (pods set no cookies the gateway keeps) is made only if asked for."""

    def __init__(self, request: requests.PreparedRequest, status: int,
                 reason: str, headers: Headers) -> None:
        # requests.Response's own attributes, set at once
        self._content: Any = False
        self._content_consumed = False
        self._next = None
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self.raw = None
        self.url = request.url or ''
        self.request = request
        self.encoding = requests.utils.get_encoding_from_headers(headers)
        self.history = []
        self.elapsed = datetime.timedelta(0)

    @property  # type: ignore[override]
    def cookies(self) -> requests.cookies.RequestsCookieJar:
        jar = self.__dict__.get('_cookies')
        if jar is None:
            jar = self.__dict__['_cookies'] = \
                requests.cookies.cookiejar_from_dict({})
        return jar

    @cookies.setter
    def cookies(self, jar: requests.cookies.RequestsCookieJar) -> None:
        self.__dict__['_cookies'] = jar

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
        self._idle: dict[tuple[str, str, int], list[wire.Connection]] = {}
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
        scheme, host, port, target = wire.split_url(request.url or '')
        head = wire.request_head(request, host, port, scheme, target)
        connect, read = (timeout if isinstance(timeout, tuple)
                         else (timeout, timeout))
        # a safe call is sent again when the pod closed the kept socket:
        # it goes without the check that the socket is still open
        connection = self._pooled((scheme, host, port),
                                  checked=request.method not in _SAFE)
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

    def _exchange(self, connection: wire.Connection,
                  request: requests.PreparedRequest, head: bytes,
                  timeout: float | None, stream: bool) -> requests.Response:
        try:
            connection.settimeout(timeout)
            try:
                wire.write_request(connection.sock, head, request.body)
            except TimeoutError:
                raise
            except OSError as exc:
                raise _Unanswered(f'sending to the pod failed: {exc}',
                                  unsent=True) from None
            waiter = fanout.answer_waiter()
            if waiter is not None:
                # a fan-out's calls wait for their answers together
                connection.await_answer(waiter.wait, timeout)
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

    def release(self, connection: wire.Connection) -> None:
        """Keep ``connection`` (its answer wholly read) for a later call."""
        idle = self._idle.setdefault(connection.key, [])
        if len(idle) < self.pool_size:
            idle.append(connection)
        else:
            connection.close()

    def _pooled(self, key: tuple[str, str, int],
                checked: bool) -> wire.Connection | None:
        """An idle connection to ``key``, if one is kept; ``checked``,
        one still open with nothing unread."""
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if not checked or connection.alive():
                return connection
            connection.close()
        return None

    def _connect(self, scheme: str, host: str, port: int,
                 timeout: float | None, verify: Any,
                 cert: Any) -> wire.Connection:
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
        return wire.Connection((scheme, host, port), sock)

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
                connection: wire.Connection,
                stream: bool) -> requests.Response:
        reader = connection.reader
        try:
            line = reader.readline(wire.MAX_LINE + 1)
        except ConnectionResetError:
            # reset before any byte of an answer: as closed (a kept
            # socket the pod dropped, a safe call is sent again)
            line = b''
        while True:
            if not line:
                raise _Unanswered('the pod closed the connection without '
                                  'answering', unsent=False)
            version, status, reason = wire.status_line(line)
            headers = wire.read_headers(reader)
            if not 100 <= status < 200 or status == 101:
                break
            line = reader.readline(wire.MAX_LINE + 1)
        reply = PodResponse(request, status, reason, headers)
        reusable = (version == 'HTTP/1.1'
                    and 'close' not in headers.get('Connection', '').lower())
        body = wire.AnswerBody(self.release, connection,
                               wire.body_length(request, status, headers),
                               reusable, headers.get('Content-Encoding', ''))
        if stream:
            reply.raw = body
        else:
            reply._content = body.read_all()
            reply._content_consumed = True
        return reply
