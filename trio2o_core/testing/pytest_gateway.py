"""pytest plugin: a session-wide ``gateway`` in front of ``local_cloud``.

Enable it with ``pytest_plugins = ["trio2o_core.testing.pytest_plugin",
"trio2o_core.testing.pytest_gateway"]`` in the top ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='session')
def gateway(local_cloud: LocalCloud,
            tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[GatewayProcess]:
    """A running ``trio2o-api`` (Keystone auth) with every pod of the
    local cloud registered and the top region's catalog pointing at it."""
    proc = GatewayProcess(local_cloud, tmp_path_factory.mktemp('gateway'))
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
