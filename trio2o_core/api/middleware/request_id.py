"""The request id filters: oslo.middleware's, as plain WSGI.

oslo's filter builds a webob request and response around every call;
these keep its behaviour (the same environ keys, the same check of a
caller's global id, the same answer header) without them. Nova also
answers its request id under ``x-compute-request-id`` (the header it
had before oslo's), and clients read either.
"""

from __future__ import annotations

import re
from typing import Any

from oslo_context import context
from oslo_middleware import request_id

#: the header Nova has always answered its request id in
COMPUTE_REQUEST_ID = 'x-compute-request-id'
_GLOBAL_ID = re.compile(request_id.ID_FORMAT)


class RequestId(request_id.RequestId):
    """Give every request an id (``openstack.request_id``), keep a
    well-formed ``X-OpenStack-Request-ID`` of the caller as its global
    id (``openstack.global_request_id``), and answer the id under
    ``x-openstack-request-id`` and :attr:`compat_headers` unless the
    application answered them."""

    def __call__(self, environ: dict, start_response: Any) -> Any:
        inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID')
        if inbound and _GLOBAL_ID.match(inbound):
            environ[request_id.GLOBAL_REQ_ID] = inbound
        req_id = context.generate_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id
        names = [request_id.HTTP_RESP_HEADER_REQUEST_ID,
                 *self.compat_headers]

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            return start_response(status, [*headers, *(
                (name, req_id) for name in names
                if name not in present)], exc_info)

        return self.application(environ, start)


class ComputeRequestId(RequestId):
    """:class:`RequestId` that also answers the id under
    ``x-compute-request-id`` (same value)."""

    compat_headers = [COMPUTE_REQUEST_ID]
