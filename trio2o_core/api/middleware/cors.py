"""oslo.middleware's CORS filter reading ``[cors]`` from the gateway's
own configuration (the files given with ``--config-file`` included)."""

from __future__ import annotations

from typing import Any

from oslo_middleware import cors

from trio2o_core.conf import CONF


class CORS(cors.CORS):
    """oslo's CORS filter, passing a request that is neither a
    preflight (``OPTIONS``) nor cross-origin (no ``Origin``) straight
    on: oslo's filter would only wrap it in a webob request and
    response to add nothing."""

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if ('HTTP_ORIGIN' not in environ
                and environ.get('REQUEST_METHOD') != 'OPTIONS'):
            return self.application(environ, start_response)
        return super().__call__(environ, start_response)


def filter_factory(global_conf: dict, **local_conf: str) -> Any:
    """Paste filter factory: CORS configured from ``CONF``."""
    return lambda app: CORS(app, CONF)
