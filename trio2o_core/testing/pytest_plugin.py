"""pytest fixtures for tests that need a real OpenStack.

Enable with ``pytest_plugins = ["trio2o_core.testing.pytest_plugin"]`` in
a ``conftest.py``.  The cloud starts once per test session (building the
pod environment first if it is absent) and its logs stay in the session's
temporary directory (``local-cloud*``) for failed runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trio2o_core.testing.cloud import LocalCloud


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LocalCloud]:
    """A started :class:`LocalCloud`: Keystone, 2 Nova pods, 2 Cinder pods
    and Glance; stopped at the end of the session."""
    cloud = LocalCloud(nova_pods=2, cinder_pods=2, glance=True,
                       workdir=tmp_path_factory.mktemp("local-cloud"))
    cloud.start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture(scope="session")
def local_clouds_yaml(local_cloud: LocalCloud,
                      tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clouds.yaml with ``pod1``.. (admin, each pod's region) and
    ``demo-podN``/``alt-podN`` (the ordinary users) entries."""
    path = tmp_path_factory.mktemp("clouds") / "clouds.yaml"
    entries = {
        f"{user.username}-pod{pod.index}": local_cloud.cloud_entry(
            user, pod.region)
        for user in local_cloud.users for pod in local_cloud.pods
    }
    local_cloud.write_clouds_yaml(path, entries)
    return path
