"""Request body size limit taken from ``[api] max_request_body_size``.

A body over the limit raises 413 (rendered as a fault by ``faultwrap``
above this filter): at once when Content-Length says so, while reading
for a chunked body (oslo.middleware's ``LimitingReader``).
"""

from __future__ import annotations

from typing import Any

import webob
import webob.exc
from oslo_middleware import sizelimit

from trio2o_core.conf import CONF

MESSAGE = 'Request is too large.'


class SizeLimit:
    """Refuse request bodies larger than ``limit`` bytes."""

    def __init__(self, application: Any, limit: int) -> None:
        self.application = application
        self.limit = limit

    # A plain WSGI callable, not ``wsgify``: wsgify would turn the 413
    # into a plain-text response before ``faultwrap`` could see it.
    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = webob.Request(environ)
        length = request.content_length
        if length is not None and length > self.limit:
            raise webob.exc.HTTPRequestEntityTooLarge(detail=MESSAGE)
        # A chunked body is readable even when the server does not say
        # so with ``wsgi.input_terminated`` (eventlet does not).
        chunked = request.headers.get('Transfer-Encoding', '').lower() == (
            'chunked')
        if length is None and (request.is_body_readable or chunked):
            request.body_file = sizelimit.LimitingReader(
                request.body_file_raw, self.limit)
        return self.application(environ, start_response)


def filter_factory(global_conf: dict, **local_conf: str) -> Any:
    """Paste filter factory reading the limit from the configuration."""
    return lambda app: SizeLimit(app, CONF.api.max_request_body_size)
