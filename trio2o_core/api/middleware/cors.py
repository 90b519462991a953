"""oslo.middleware's CORS filter reading ``[cors]`` from the gateway's
own configuration (the files given with ``--config-file`` included)."""

from __future__ import annotations

from typing import Any

from oslo_middleware import cors

from trio2o_core.conf import CONF


def filter_factory(global_conf: dict, **local_conf: str) -> Any:
    """Paste filter factory: CORS configured from ``CONF``."""
    return lambda app: cors.CORS(app, CONF)
