"""Paste filter: one INFO line per request, logged with the request's
context, so its ids (``[global_request_id request_id user project ...]``
in oslo.log's format) find it next to the pods' own lines for the same
id: the gateway sends the global id, or else its own, to every pod."""

from __future__ import annotations

import logging
import time
from typing import Any

import webob
import webob.dec

from trio2o_core.plugin.request import CONTEXT_KEY

LOG = logging.getLogger(__name__)


class RequestLog:
    """Logs method, URI, status, body length and seconds to the answer's
    headers of every request passing through it."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @classmethod
    def factory(cls, global_conf: dict, **local_conf: str) -> Any:
        return cls

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> webob.Response:
        started = time.monotonic()
        response = request.get_response(self.application)
        # the WSGI strings as received: any bytes, never decoded here
        environ = request.environ
        uri = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            uri += '?' + environ['QUERY_STRING']
        LOG.info('%(method)s %(uri)s status: %(status)s len: %(len)s '
                 'time: %(time).4f',
                 {'method': request.method, 'uri': uri,
                  'status': response.status_int,
                  'len': response.content_length or 0,
                  'time': time.monotonic() - started},
                 extra={'context': request.environ.get(CONTEXT_KEY)})
        return response
