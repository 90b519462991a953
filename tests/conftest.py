"""Fixtures shared by every test tier.

``local_cloud`` (a real Keystone, Nova, Cinder and Glance on loopback) and
``gateway`` (trio2o-api in front of it) start once per session, on first
use only: unit tests never start them.
"""

pytest_plugins = [
    'trio2o_core.testing.pytest_plugin',
    'trio2o_core.testing.pytest_gateway',
]
