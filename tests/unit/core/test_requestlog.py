"""The request log line: written once the answer has been sent."""

import logging

import pytest

from trio2o_core.api.middleware.requestlog import RequestLog

LOGGER = 'trio2o_core.api.middleware.requestlog'


def whole(environ, start_response):
    start_response('201 Created', [('Content-Length', '7')])
    return [b'created']


def lazy(environ, start_response):
    start_response('200 OK', [])
    yield b'a'
    yield b'b'


class Closing:
    """A body whose close fails."""

    def __init__(self):
        self.closed = False

    def __iter__(self):
        return iter([b'x'])

    def close(self):
        self.closed = True
        raise OSError('client gone')


def call(app, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    environ = {'REQUEST_METHOD': 'POST', 'SCRIPT_NAME': '/compute',
               'PATH_INFO': '/v2.1/servers', 'QUERY_STRING': 'a=1'}
    return RequestLog(app)(environ, lambda status, headers, exc=None: None)


def lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_a_whole_answer_is_logged_when_closed_and_keeps_its_length(caplog):
    result = call(whole, caplog)

    assert lines(caplog) == []
    assert len(result) == 1 and list(result) == [b'created']
    result.close()
    [line] = lines(caplog)
    assert line.startswith('POST /compute/v2.1/servers?a=1 status: 201 '
                           'len: 7 time: ')


def test_an_answer_started_when_iterated_is_logged_when_closed(caplog):
    result = call(lazy, caplog)

    assert b''.join(result) == b'ab'
    assert lines(caplog) == []
    result.close()
    [line] = lines(caplog)
    assert 'status: 200 len: 0' in line


def test_the_line_is_written_when_the_bodys_close_fails(caplog):
    body = Closing()
    result = call(lambda environ, start: (start('200 OK', []), body)[1],
                  caplog)
    list(result)

    with pytest.raises(OSError):
        result.close()
    assert body.closed
    assert len(lines(caplog)) == 1
