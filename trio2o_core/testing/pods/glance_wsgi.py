"""Glance's WSGI app for gunicorn.

The config directory comes from ``OS_GLANCE_CONFIG_DIR``; gunicorn's own
arguments are hidden from oslo.config.
"""

import sys

sys.argv = sys.argv[:1]

from glance.wsgi.api import application  # noqa: E402,F401
