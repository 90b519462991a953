"""Paste filter: one INFO line per request, logged with the request's
context, so its ids (``[global_request_id request_id user project ...]``
in oslo.log's format) find it next to the pods' own lines for the same
id: the gateway sends the global id, or else its own, to every pod."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from trio2o_core.plugin.request import CONTEXT_KEY

LOG = logging.getLogger(__name__)


class RequestLog:
    """Logs method, URI, status, body length and seconds of every
    request passing through it, once the server has sent the answer and
    closed its body (plain WSGI: it reads the status and headers the
    application starts its answer with), so the line costs the client
    no wait."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @classmethod
    def factory(cls, global_conf: dict, **local_conf: str) -> Any:
        return cls

    def __call__(self, environ: dict, start_response: Any) -> Any:
        started = time.monotonic()
        answer: list[Any] = []

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.application(environ, start)
        if isinstance(result, list):
            # a list keeps its length (the server may set Content-Length)
            return _LoggedList(result, environ, started, answer)
        return _LoggedLater(result, environ, started, answer)


class _LoggedList(list):  # type: ignore[type-arg]
    """A whole answer body, logged once it has been sent (closed)."""

    def __init__(self, result: list[bytes], environ: dict, started: float,
                 answer: list[Any]) -> None:
        super().__init__(result)
        self.environ = environ
        self.started = started
        self.answer = answer

    def close(self) -> None:
        _log(self.environ, self.answer or ['0', []], self.started)


class _LoggedLater:
    """An answer logged once it has been sent (closed)."""

    def __init__(self, result: Any, environ: dict, started: float,
                 answer: list[Any]) -> None:
        self.result = result
        self.environ = environ
        self.started = started
        self.answer = answer

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, 'close'):
                self.result.close()
        finally:
            _log(self.environ, self.answer or ['0', []], self.started)


def _log(environ: dict, answer: list[Any], started: float) -> None:
    status, headers = answer
    length = next((value for name, value in headers
                   if name.lower() == 'content-length'), 0)
    # the WSGI strings as received: any bytes, never decoded here
    uri = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    if environ.get('QUERY_STRING'):
        uri += '?' + environ['QUERY_STRING']
    LOG.info('%(method)s %(uri)s status: %(status)s len: %(len)s '
             'time: %(time).4f',
             {'method': environ.get('REQUEST_METHOD'), 'uri': uri,
              'status': int(status.split(' ', 1)[0]), 'len': length,
              'time': time.monotonic() - started},
             extra={'context': environ.get(CONTEXT_KEY)})
