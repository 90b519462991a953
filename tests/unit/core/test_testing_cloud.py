"""The test cloud stops each Keystone as it is when the cloud stops: one
a test stopped and started again is stopped in its new process.

Keystone, the federation set-up, the pod environment, the fault proxy
and the network stub are stand-ins; the one pod's Nova is a script that
only says it is ready.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trio2o_core.testing import cloud
from trio2o_core.testing.cloud import LocalCloud

#: the stand-in of ``nova_pod.py``: ready at once, then idle until a
#: signal stops it
NOVA_POD = """\
import pathlib, signal, sys
pathlib.Path(sys.argv[sys.argv.index("--ready-file") + 1]).touch()
signal.pause()
"""


class StandInProcess:
    """A process that only records that it was stopped."""

    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class StandInKeystone:
    """What the cloud uses of a Keystone; each start is a new process."""

    def __init__(self, env: Any, workdir: Path, port: int,
                 **options: Any) -> None:
        self.url = f"http://127.0.0.1:{port}/v3"
        self.process: StandInProcess | None = None

    def start(self) -> None:
        self.process = StandInProcess()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def wait_ready(self) -> None:
        pass

    def ensure_user(self, creds: Any, roles: tuple[str, ...]) -> str:
        return creds.username

    def set_endpoint(self, *args: str) -> None:
        pass


class StandInFederation:
    """What the cloud uses of the federation set-up."""

    def __init__(self, env: Any, workdir: Path, top_port: int) -> None:
        pass

    def idp_conf(self) -> str:
        return ""

    def write_metadata(self, top: StandInKeystone) -> None:
        pass

    def pod_keystone(self, region: str, port: int) -> StandInKeystone:
        return StandInKeystone(None, Path(), port)

    def set_up_pod(self, top: StandInKeystone, pod: StandInKeystone,
                   region: str, *users: Any) -> str:
        return f"sp-{region}"


class StandInProxy:
    """A fault proxy whose routes are their upstreams."""

    def __init__(self, name: str) -> None:
        pass

    def add_route(self, upstream: str) -> types.SimpleNamespace:
        return types.SimpleNamespace(url=upstream)

    def close(self) -> None:
        pass


class StandInNetworkStub:
    url = "http://127.0.0.1:9"

    def close(self) -> None:
        pass


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[LocalCloud]:
    pods_dir = tmp_path / "pods"
    pods_dir.mkdir()
    (pods_dir / "nova_pod.py").write_text(NOVA_POD)
    env = types.SimpleNamespace(python=Path(sys.executable),
                                etc=tmp_path / "etc")
    monkeypatch.setattr(cloud, "ensure_podenv", lambda path: env)
    monkeypatch.setattr(cloud, "PODS_DIR", pods_dir)
    monkeypatch.setattr(cloud, "Keystone", StandInKeystone)
    monkeypatch.setattr(cloud, "FederatedKeystones", StandInFederation)
    monkeypatch.setattr(cloud, "FaultProxy", StandInProxy)
    monkeypatch.setattr(cloud, "NetworkStub", StandInNetworkStub)
    local = LocalCloud(nova_pods=1, cinder_pods=0, glance=False,
                       workdir=tmp_path / "cloud", federated_pods=1)
    local.start()
    yield local
    local.stop()


@pytest.mark.parametrize("which", ["top", "federated pod"])
def test_a_restarted_keystone_is_stopped_with_the_cloud(started, which):
    keystone = (started.keystone if which == "top"
                else started.pods[0].keystone)
    first = keystone.process
    keystone.stop()
    keystone.start()

    started.stop()

    assert first.stopped
    assert keystone.process is not first
    assert keystone.process.stopped
