"""WSGI entry point for uWSGI, mod_wsgi or gunicorn.

``application`` is the paste composite every service is mounted in, the
same as ``trio2o-api`` serves. Configuration files come from
``$TRIO2O_CONFIG_FILES`` (comma-separated) or oslo.config's standard
locations (``/etc/trio2o/trio2o.conf`` ...). Such servers run no eventlet:
fan-out to pods uses a thread pool.
"""

from __future__ import annotations

import os
from typing import Any

from trio2o_core import startup
from trio2o_core.api import app


def init_application() -> Any:
    """Parse the configuration, load the paste app and freeze the heap
    (:func:`trio2o_core.startup.freeze_heap`).

    :raises FileNotFoundError: the paste file is missing.
    :raises PluginLoadError: an enabled plugin cannot be loaded.
    """
    files = [f for f in os.environ.get('TRIO2O_CONFIG_FILES', '').split(',')
             if f]
    startup.parse_args([], default_config_files=files or None)
    application = app.load_paste_app()
    startup.freeze_heap()
    return application


application = init_application()
