"""Keystone's WSGI app for gunicorn.

Keystone parses ``sys.argv`` with oslo.config when the app is built, which
would choke on gunicorn's own arguments, so hide them first.  The config
file comes from ``OS_KEYSTONE_CONFIG_FILES``.
"""

import sys

sys.argv = sys.argv[:1]

from keystone.wsgi.api import application  # noqa: E402,F401
