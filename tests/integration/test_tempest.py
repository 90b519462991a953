"""Tempest's CI suites through the gateway versus straight to a pod.

The same tempest configuration runs twice in one session, once with the
catalog region of pod 1 and once with the top region (the gateway in
front of both pods): every test that passes against the pod must pass
through the gateway, and the gateway may fail none the pod passes. The
suites are the part of ``tools/tempest-full.sh`` that fits CI's time
(``tempest.suites('ci')``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trio2o_core.testing import tempest
from trio2o_core.testing.cloud import TOP_REGION
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess


@pytest.fixture(scope='module')
def tempest_env() -> Path:
    return tempest.tempest_env()


def _run(env: Path, workspace: Path, cloud: LocalCloud,
         region: str) -> tempest.Totals:
    tempest.write_workspace(env, workspace, cloud, region)
    return tempest.run(env, workspace, tempest.suites('ci'))


def test_gateway_passes_what_a_pod_passes(local_cloud: LocalCloud,
                                          gateway: GatewayProcess,
                                          tempest_env: Path,
                                          tmp_path: Path) -> None:
    pod = _run(tempest_env, tmp_path / 'pod', local_cloud,
               local_cloud.pods[0].region)
    top = _run(tempest_env, tmp_path / 'gateway', local_cloud, TOP_REGION)
    (tmp_path / 'pod.txt').write_text(pod.output)
    (tmp_path / 'gateway.txt').write_text(top.output)
    assert pod.passed >= 12, pod.output[-3000:]
    missing = pod.names() - top.names()
    assert not missing, (sorted(missing), top.output[-6000:])
    assert top.names('FAILED') <= pod.names('FAILED'), top.output[-6000:]
