"""oslo.middleware's proxy headers filter, as plain WSGI.

With ``[oslo_middleware] enable_proxy_headers_parsing``, a request's
``Forwarded`` (or ``X-Forwarded-Proto``/``-Host``/``-For``) and
``X-Forwarded-Prefix`` headers set its scheme, host, client address and
script name, so the links the gateway answers point at the proxy. oslo's
filter does it in its ``process_request``; this one calls that without
the webob response oslo's builds around every call.
"""

from __future__ import annotations

from typing import Any

import webob
from oslo_middleware import http_proxy_to_wsgi


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):
    """Rewrite the environ from the proxy's headers (when enabled),
    then call the application."""

    def __call__(self, environ: dict, start_response: Any) -> Any:
        self.process_request(webob.Request(environ))
        return self.application(environ, start_response)
