"""The pod calls' HTTP transport against a scripted HTTP server on
loopback: keep-alive, bodies of every framing, uploads, and each way a
pod can fail to answer."""

from __future__ import annotations

import datetime
import gzip
import io
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from trio2o_core.pods import wire
from trio2o_core.pods.caller import answer_lost
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.transport import PodNotReached

#: a scripted answer: the raw bytes to send, then whether to close
Script = Callable[['Received'], tuple[bytes, bool]]


class Received:
    """One request the server read: its line, headers and body."""

    def __init__(self, line: str, headers: dict[str, str], body: bytes,
                 connection: int) -> None:
        self.line = line
        self.headers = headers
        self.body = body
        self.connection = connection


def answer(status: str = '200 OK', body: bytes = b'{"ok": true}',
           headers: tuple[str, ...] = ('Content-Type: application/json',),
           close: bool = False) -> Script:
    """A script answering every request with ``body`` (sized)."""
    def script(_: Received) -> tuple[bytes, bool]:
        head = '\r\n'.join((f'HTTP/1.1 {status}', *headers,
                            f'Content-Length: {len(body)}', '', ''))
        return head.encode() + body, close
    return script


class Server:
    """A loopback HTTP/1.1 server answering each request by ``script``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.tls = tls
        scheme = 'https' if tls else 'http'
        self.url = (f'{scheme}://localhost:'
                    f'{self.listener.getsockname()[1]}')
        self.script: Script = answer()
        #: close a connection with a reset, not a FIN
        self.reset = False
        self.received: list[Received] = []
        self.connections = 0
        self.open: list[socket.socket] = []
        #: how many connections the server has closed
        self.closed = 0
        self._closed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except OSError:
                    sock.close()
                    continue
            self.connections += 1
            self.open.append(sock)
            threading.Thread(target=self._serve,
                             args=(sock, self.connections),
                             daemon=True).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        reader = sock.makefile('rb')
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                headers = {}
                for raw in iter(reader.readline, b'\r\n'):
                    name, _, value = raw.decode().partition(':')
                    headers[name.strip().lower()] = value.strip()
                if headers.get('transfer-encoding') == 'chunked':
                    body = b''
                    while size := int(reader.readline(), 16):
                        body += reader.read(size)
                        reader.readline()
                    reader.readline()
                else:
                    body = reader.read(int(headers.get('content-length', 0)))
                received = Received(line.decode().strip(), headers, body,
                                    number)
                self.received.append(received)
                data, close = self.script(received)
                if data:
                    sock.sendall(data)
                if close:
                    return
        except OSError:
            return
        finally:
            reader.close()
            if self.reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack('ii', 1, 0))
            sock.close()
            with self._closed:
                self.closed += 1
                self._closed.notify_all()

    def wait_closed(self, count: int) -> None:
        """Wait until the server has closed ``count`` connections."""
        with self._closed:
            assert self._closed.wait_for(lambda: self.closed >= count,
                                         timeout=5), 'not closed'

    def close_idle(self) -> None:
        """Close every connection the server holds (an idle timeout)."""
        for sock in self.open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server()
    yield found
    found.listener.close()
    found.close_idle()


def test_calls_share_one_kept_alive_connection(server):
    connector = PodConnector()

    first = connector.send('GET', server.url + '/servers')
    second = connector.send('POST', server.url + '/servers',
                            json={'server': {'name': 'ü'}})

    assert (first.status_code, first.json()) == (200, {'ok': True})
    assert second.json() == {'ok': True}
    assert server.connections == 1
    assert server.received[1].line == 'POST /servers HTTP/1.1'
    assert server.received[1].body == '{"server":{"name":"ü"}}'.encode()
    assert server.received[1].headers['content-type'] == 'application/json'


def test_a_connection_the_pod_closed_while_idle_is_not_used(server):
    connector = PodConnector()
    connector.send('GET', server.url + '/a')
    server.close_idle()
    server.wait_closed(1)

    reply = connector.send('DELETE', server.url + '/b')

    assert reply.status_code == 200
    assert server.connections == 2
    assert [r.line for r in server.received] == [
        'GET /a HTTP/1.1', 'DELETE /b HTTP/1.1']


def test_a_safe_call_takes_a_kept_socket_unchecked(server, monkeypatch):
    # a socket the pod closed while idle costs a safe call a second try,
    # not every safe call a check
    connector = PodConnector()
    connector.send('GET', server.url + '/a')
    server.close_idle()
    server.wait_closed(1)
    monkeypatch.setattr(wire.Connection, 'alive', _not_asked)

    reply = connector.send('GET', server.url + '/b')

    assert reply.status_code == 200
    assert server.connections == 2
    assert [r.line for r in server.received] == [
        'GET /a HTTP/1.1', 'GET /b HTTP/1.1']


def _not_asked(_connection: wire.Connection) -> bool:
    raise AssertionError('a kept socket was checked for a safe call')


def test_query_parameters_and_headers_are_sent(server):
    PodConnector().send('GET', server.url + '/servers?all_tenants=1',
                        params=[('name', 'a b'), ('limit', '2')],
                        headers={'X-Auth-Token': 'tok'})

    received = server.received[0]
    assert received.line == ('GET /servers?all_tenants=1&name=a+b&limit=2 '
                             'HTTP/1.1')
    assert received.headers['x-auth-token'] == 'tok'
    assert received.headers['host'] == server.url.split('//')[1]


def test_a_line_break_in_the_path_cannot_reach_the_pod(server):
    PodConnector().send('GET', server.url + '/servers/x\r\nX-Evil: 1')

    assert server.received[0].line == (
        'GET /servers/x%0D%0AX-Evil:%201 HTTP/1.1')
    assert 'x-evil' not in server.received[0].headers


def test_a_line_break_in_a_header_is_refused(server):
    with pytest.raises(requests.exceptions.InvalidHeader):
        PodConnector().send('GET', server.url + '/',
                            headers={'Accept-Language': 'en\r\nX-Evil: 1'})

    assert server.received == []


def test_chunked_answers_are_read_whole_and_streamed(server):
    chunks = [b'{"servers": ', b'[1, 2', b', 3]}']
    framed = b''.join(b'%x\r\n%b\r\n' % (len(c), c) for c in chunks)
    server.script = lambda _: (
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
        + framed + b'0\r\n\r\n', False)
    connector = PodConnector()

    whole = connector.send('GET', server.url + '/servers')
    streamed = connector.send('GET', server.url + '/servers', stream=True)

    assert whole.json() == {'servers': [1, 2, 3]}
    pieces = list(streamed.iter_content(4))
    assert b''.join(pieces) == b''.join(chunks)
    assert max(len(piece) for piece in pieces) == 4
    assert connector.send('GET', server.url + '/').status_code == 200
    assert server.connections == 1


def test_gzip_answers_are_decoded(server):
    body = b'{"image": "' + b'x' * 5000 + b'"}'
    server.script = answer(body=gzip.compress(body),
                           headers=('Content-Encoding: gzip',))

    reply = PodConnector().send('GET', server.url + '/image')

    assert reply.content == body


def test_answers_without_a_length_are_read_until_the_pod_closes(server):
    server.script = lambda _: (b'HTTP/1.1 200 OK\r\n\r\nall of it', True)
    connector = PodConnector()

    assert connector.send('GET', server.url + '/').content == b'all of it'
    connector.send('GET', server.url + '/')
    assert server.connections == 2


def test_head_and_no_content_answers_have_no_body(server):
    server.script = lambda received: (
        (b'HTTP/1.1 204 No Content\r\n\r\n' if received.line[0] == 'D'
         else b'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'), False)
    connector = PodConnector()

    assert connector.send('HEAD', server.url + '/i').content == b''
    assert connector.send('DELETE', server.url + '/i').status_code == 204
    assert server.connections == 1


def test_connection_close_is_honoured(server):
    server.script = answer(headers=('Connection: close',))
    connector = PodConnector()

    connector.send('GET', server.url + '/')
    connector.send('GET', server.url + '/')

    assert server.connections == 2


def test_uploads_of_unknown_length_are_sent_in_chunks(server):
    pieces = (b'x' * size for size in (10, 0, 70000))

    PodConnector().send('PUT', server.url + '/file', data=pieces,
                        headers={'Content-Type':
                                 'application/octet-stream'})

    received = server.received[0]
    assert received.headers['transfer-encoding'] == 'chunked'
    assert received.body == b'x' * 70010


def test_files_of_known_length_are_sent_with_their_length(server):
    PodConnector().send('PUT', server.url + '/file',
                        data=io.BytesIO(b'y' * 100000))

    received = server.received[0]
    assert received.headers['content-length'] == '100000'
    assert 'transfer-encoding' not in received.headers
    assert received.body == b'y' * 100000


def test_a_refused_connection_sent_nothing():
    listener = socket.create_server(('127.0.0.1', 0))
    url = f'http://127.0.0.1:{listener.getsockname()[1]}/'
    listener.close()

    with pytest.raises(PodNotReached) as info:
        PodConnector().send('POST', url, json={})

    assert answer_lost(info.value) is False


def test_a_pod_that_closes_without_answering_lost_the_answer(server):
    server.script = lambda _: (b'', True)

    with pytest.raises(requests.ConnectionError) as info:
        PodConnector().send('POST', server.url + '/servers', json={})

    assert answer_lost(info.value) is True


def test_a_pod_too_slow_to_answer_lost_the_answer(server):
    server.script = lambda _: (b'', False)

    with pytest.raises(requests.exceptions.ReadTimeout) as info:
        PodConnector(timeout=0.2).send('POST', server.url + '/servers',
                                       json={})

    assert answer_lost(info.value) is True


@pytest.mark.parametrize('reply', [
    b'SSH-2.0-OpenSSH\r\n\r\n',
    b'HTTP/1.1 abc OK\r\n\r\n',
    b'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    b'HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n',
    b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort',
])
def test_what_is_not_http_is_a_lost_answer(server, reply):
    server.script = lambda _: (reply, True)

    with pytest.raises(requests.ConnectionError) as info:
        PodConnector().send('GET', server.url + '/')

    assert answer_lost(info.value) is True


def _drops_second_request(server: Server) -> None:
    """The server answers its first connection's first request, then
    closes it on the next without answering (an idle timeout racing a
    call); other connections are answered."""
    normal = answer()

    def script(received: Received) -> tuple[bytes, bool]:
        first = [r for r in server.received if r.connection == 1]
        if received.connection == 1 and len(first) == 2:
            return b'', True
        return normal(received)
    server.script = script


@pytest.mark.parametrize('reset', [False, True], ids=['closed', 'reset'])
def test_a_safe_call_the_pod_dropped_on_a_kept_socket_is_sent_again(
        server, reset):
    server.reset = reset
    _drops_second_request(server)
    connector = PodConnector()
    connector.send('GET', server.url + '/a')

    reply = connector.send('GET', server.url + '/b')

    assert reply.json() == {'ok': True}
    assert [(r.line, r.connection) for r in server.received] == [
        ('GET /a HTTP/1.1', 1), ('GET /b HTTP/1.1', 1),
        ('GET /b HTTP/1.1', 2)]


def test_an_unsafe_call_the_pod_dropped_is_never_sent_twice(server):
    _drops_second_request(server)
    connector = PodConnector()
    connector.send('GET', server.url + '/a')

    with pytest.raises(requests.ConnectionError) as info:
        connector.send('POST', server.url + '/servers', json={})

    assert answer_lost(info.value) is True
    assert [r.line for r in server.received] == [
        'GET /a HTTP/1.1', 'POST /servers HTTP/1.1']


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate of its own authority for ``localhost``, and its
    key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName('localhost')]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                       critical=True)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / 'pod.pem', directory / 'pod.key'
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    found = Server(context)
    yield found, cert_file
    found.listener.close()
    found.close_idle()


def test_tls_pods_are_called_over_verified_kept_alive_connections(
        tls_server):
    server, authority = tls_server
    connector = PodConnector()
    adapter = connector.http.get_adapter(server.url)
    prepared = requests.Request('GET', server.url + '/servers').prepare()

    first = adapter.send(prepared, timeout=5, verify=str(authority))
    second = adapter.send(prepared, timeout=5, verify=str(authority))

    assert (first.json(), second.json()) == ({'ok': True}, {'ok': True})
    assert server.connections == 1


def test_a_pod_whose_certificate_is_not_trusted_was_sent_nothing(
        tls_server):
    server, _ = tls_server

    with pytest.raises(PodNotReached, match='CERTIFICATE_VERIFY_FAILED') \
            as info:
        PodConnector().send('POST', server.url + '/servers', json={})

    assert answer_lost(info.value) is False
    assert server.received == []


def test_an_answers_cookie_jar_is_made_when_asked_for(server: Server
                                                     ) -> None:
    server.script = answer(headers=('Set-Cookie: id=pod; Path=/',
                                    'Content-Type: application/json'))
    reply = PodConnector().send('GET', server.url + '/v2.1/servers')

    assert '_cookies' not in vars(reply)
    # pod calls keep no cookie; the jar is requests' own, empty
    assert isinstance(reply.cookies, requests.cookies.RequestsCookieJar)
    assert len(reply.cookies) == 0
    assert reply.cookies is reply.cookies
    reply.cookies = requests.cookies.cookiejar_from_dict({'a': 'b'})
    assert reply.cookies.get('a') == 'b'
