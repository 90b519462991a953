"""The API server's protocol reads every request head as eventlet's own
(the standard library's parser) reads it."""

import io
from typing import Any

import eventlet.wsgi
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core.api import protocol


class Quiet:
    """The server attributes the error answers look at."""

    log = None

    def log_message(self, message: str) -> None:
        pass


def parse(cls: type, head: bytes) -> tuple[Any, ...]:
    """What ``cls`` makes of ``head`` followed by a body: its verdict,
    the request attributes, the headers, its answer and what is left
    unread."""
    handler = cls.__new__(cls)
    first, _, rest = head.partition(b'\n')
    handler.raw_requestline = first + b'\n'
    handler.rfile = io.BytesIO(rest + b'{"body": 1}')
    handler.wfile = io.BytesIO()
    handler.server = Quiet()
    handler.client_address = ('127.0.0.1', 40000)
    handler.request_version = handler.default_request_version
    handler.protocol_version = 'HTTP/1.1'
    handler.date_time_string = lambda timestamp=None: 'then'
    handler.log_message = lambda *args: None
    ok = handler.parse_request()
    message = getattr(handler, 'headers', None)
    headers = None if message is None else (
        message.items(), message.get_payload(),
        [type(d) for d in message.defects], message.get_unixfrom(),
        message.get_content_type())
    return (ok, handler.command, getattr(handler, 'path', None),
            handler.request_version, handler.close_connection,
            getattr(handler, 'requestline', None), headers,
            handler.wfile.getvalue(), handler.rfile.read())


def both(head: bytes) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    return (parse(protocol.HttpProtocol, head),
            parse(eventlet.wsgi.HttpProtocol, head))


ENDS = st.sampled_from(['\r\n', '\n', '\r\r\n', '\r'])
TEXT = st.text(st.sampled_from(
    'aZ09 \t:-_/;=,."\x0b\x0c\x1c\x85\xa0\xe9\x7f\x00'), max_size=12)
REQUEST_LINE = st.builds(
    lambda method, gap, target, version, end: (
        f'{method}{gap}{target}{gap}{version}{end}'.rstrip(' ')),
    st.sampled_from(['GET', 'POST', 'HEAD', 'get', '']),
    st.sampled_from([' ', '  ', '\t']),
    st.sampled_from(['/compute/v2.1/servers', '//evil.example/x',
                     '/a?b=c', '*']),
    st.sampled_from(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x',
                     'http/1.1', '']),
    ENDS)
FIELD = st.builds(
    lambda name, colon, value, end: f'{name}{colon}{value}{end}',
    st.one_of(st.sampled_from([
        'Host', 'Content-Type', 'content-length', 'Connection', 'Expect',
        'X-Auth-Token', 'From', 'X_Under', 'Bad Name', ' Folded', '\tTab',
        '']), TEXT),
    st.sampled_from([':', ': ', ':  ', ':\t', ' :', '']),
    st.one_of(st.sampled_from([
        'close', 'keep-alive', 'Keep-Alive', '100-continue',
        'application/json; charset=utf-8', 'text/plain', '']), TEXT),
    ENDS)
HEAD = st.builds(
    lambda line, fields, last: (
        line + ''.join(fields) + last).encode('iso-8859-1'),
    REQUEST_LINE, st.lists(FIELD, max_size=6),
    st.sampled_from(['\r\n', '\n', '']))


@settings(max_examples=1500, deadline=None)
@given(head=HEAD)
def test_every_head_is_read_as_the_standard_library_reads_it(head):
    ours, theirs = both(head)

    assert ours == theirs


@pytest.mark.parametrize('head', [
    b'GET /servers HTTP/1.1\r\nHost: gw\r\nX-Auth-Token: abc\r\n\r\n',
    b'POST /servers/s1/action HTTP/1.1\r\nContent-Type: application/json'
    b'\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n',
    b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    b'GET / HTTP/1.1\r\nConnection: close\r\nA:  spaced  \r\n\r\n',
    b'GET / HTTP/1.1\n\n',
])
def test_common_heads_are_read_without_the_email_package(monkeypatch, head):
    theirs = parse(eventlet.wsgi.HttpProtocol, head)
    monkeypatch.setattr(protocol.email.parser, 'Parser', None)

    assert parse(protocol.HttpProtocol, head) == theirs


@pytest.mark.parametrize('head', [
    b'GET / HTTP/1.1\r\n' + b'X-A: b\r\n' * 101 + b'\r\n',
    b'GET / HTTP/1.1\r\nX-Long: ' + b'a' * 70000 + b'\r\n\r\n',
])
def test_oversized_heads_get_the_standard_librarys_answer(head):
    ours, theirs = both(head)

    assert ours == theirs
    assert ours[0] is False
    assert ours[7].startswith(b'HTTP/1.1 431 ')
