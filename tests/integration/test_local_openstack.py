"""The local OpenStack harness, driven by unmodified OpenStack clients."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import openstack.connection
import pytest
import webob
import webob.dec
from keystoneauth1 import exceptions as ks_exc
from keystonemiddleware import auth_token
from oslo_config import cfg

from trio2o_core.testing.cloud import LocalCloud

T = TypeVar("T")
IMAGE_NAME = "fakeimage7"
#: seconds between two looks at a condition being waited for
POLL = 0.2
IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b"


def wait_for(fetch: Callable[[], T], done: Callable[[T], bool],
             timeout: float = 60.0) -> T:
    """Poll ``fetch`` until ``done`` holds for its result."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met; last value {value!r}")
        time.sleep(POLL)


def _openstack_cli() -> str:
    found = shutil.which("openstack") or str(
        Path(sys.executable).with_name("openstack"))
    if not Path(found).exists():
        pytest.skip("python-openstackclient is not installed")
    return found


@pytest.fixture(scope="module")
def osc(local_clouds_yaml: Path) -> Callable[..., dict | list]:
    cli = _openstack_cli()
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(local_clouds_yaml))

    def run(*args: str, output: bool = True) -> dict | list:
        fmt = ["-f", "json"] if output else []
        proc = subprocess.run(
            [cli, "--os-cloud", "pod1", *args, *fmt],
            capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    return run


def test_osc_server_lifecycle(osc: Callable[..., dict | list]) -> None:
    server = osc("server", "create", "--image", IMAGE_NAME,
                 "--flavor", "m1.tiny", "--wait", "osc-server")
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-AZ:availability_zone"] == "pod1-zone"
    sid = server["id"]

    def status() -> str:
        return osc("server", "show", sid)["status"]

    osc("server", "stop", sid, output=False)
    assert wait_for(status, lambda s: s == "SHUTOFF") == "SHUTOFF"
    osc("server", "start", sid, output=False)
    assert wait_for(status, lambda s: s == "ACTIVE") == "ACTIVE"
    osc("server", "delete", "--wait", sid, output=False)


def test_osc_volume_create(osc: Callable[..., dict | list]) -> None:
    vol = osc("volume", "create", "--size", "1", "osc-volume")
    assert vol["availability_zone"] == "pod1-zone"
    shown = wait_for(lambda: osc("volume", "show", vol["id"]),
                     lambda v: v["status"] == "available")
    assert shown["size"] == 1
    osc("volume", "delete", vol["id"], output=False)


def test_osc_image_list(osc: Callable[..., dict | list]) -> None:
    images = {i["ID"]: i["Name"] for i in osc("image", "list")}
    assert images[IMAGE_ID] == IMAGE_NAME
    # nova's best-known fixture image keeps its id in the real Glance.
    assert images["155d900f-4e14-4e4c-a73d-069cbf4541e6"] == "fakeimage123456"


def test_sdk_pages_servers(local_cloud: LocalCloud) -> None:
    pod = local_cloud.pods[1]
    conn = openstack.connection.Connection(
        session=local_cloud.session(local_cloud.users[1]),
        region_name=pod.region)
    created = []
    for n in range(5):
        server = conn.compute.create_server(
            name=f"page-{n}", image_id=IMAGE_ID, flavor_id="1",
            networks="none")
        created.append(conn.compute.wait_for_server(server, wait=60).id)
    pod.proxy.history.clear()
    seen = [s.id for s in conn.compute.servers(limit=2)]
    pages = [p for m, p in pod.proxy.history
             if m == "GET" and p.startswith("/v2.1/servers/detail")]
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))
    assert len(pages) >= 3
    for sid in created:
        conn.compute.delete_server(sid)


@webob.dec.wsgify
def _whoami(req: webob.Request) -> webob.Response:
    return webob.Response(json={
        "user": req.headers.get("X-User-Name"),
        "project": req.headers.get("X-Project-Name"),
        "status": req.headers.get("X-Identity-Status"),
    })


@pytest.fixture(scope="module")
def protected_app(local_cloud: LocalCloud, tmp_path_factory):
    conf_file = tmp_path_factory.mktemp("kmw") / "app.conf"
    conf_file.write_text(
        local_cloud.service_user.conf_section(local_cloud.keystone_url))
    conf = cfg.ConfigOpts()
    conf([], project="whoami", default_config_files=[str(conf_file)])
    return auth_token.AuthProtocol(_whoami, {"oslo_config_config": conf})


def _call(app, token: str | None) -> webob.Response:
    req = webob.Request.blank("/")
    if token is not None:
        req.headers["X-Auth-Token"] = token
    return req.get_response(app)


def test_keystonemiddleware_accepts_real_token(
        local_cloud: LocalCloud, protected_app) -> None:
    token = local_cloud.session(local_cloud.users[0]).get_token()
    resp = _call(protected_app, token)
    assert resp.status_int == 200
    assert resp.json == {"user": "demo", "project": "demo",
                         "status": "Confirmed"}


def test_keystonemiddleware_rejects_forged_token(
        local_cloud: LocalCloud, protected_app) -> None:
    token = local_cloud.session(local_cloud.users[0]).get_token()
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA")
                           else "BBBBBB")
    assert _call(protected_app, forged).status_int == 401
    assert _call(protected_app, "not-a-token").status_int == 401
    assert _call(protected_app, None).status_int == 401


def test_keystonemiddleware_rejects_revoked_token(
        local_cloud: LocalCloud, protected_app) -> None:
    token = local_cloud.session(local_cloud.users[1]).get_token()
    admin = local_cloud.session(local_cloud.admin)
    resp = admin.delete(local_cloud.keystone_url + "/auth/tokens",
                        headers={"X-Subject-Token": token})
    assert resp.status_code == 204
    assert _call(protected_app, token).status_int == 401


def test_fault_proxy(local_cloud: LocalCloud) -> None:
    pod = local_cloud.pods[0]
    sess = local_cloud.session(local_cloud.users[0])
    url = pod.compute_url + "/flavors"
    try:
        assert sess.get(url).status_code == 200

        pod.proxy.fail(status=503)
        resp = sess.get(url, raise_exc=False)
        assert resp.status_code == 503

        pod.proxy.delay(0.5)
        start = time.monotonic()
        assert sess.get(url).status_code == 200
        assert time.monotonic() - start >= 0.5

        pod.proxy.refuse()
        with pytest.raises(ks_exc.ConnectFailure):
            sess.get(url, connect_retries=0)
    finally:
        pod.proxy.clear()
    assert sess.get(url).status_code == 200
    assert sess.get(pod.volume_url + "/volumes").status_code == 200


def test_snapshot_in_one_pod_boots_in_another(
        local_cloud: LocalCloud) -> None:
    user = local_cloud.users[0]
    pod1, pod2 = local_cloud.pods[:2]
    conn1, conn2 = (openstack.connection.Connection(
        session=local_cloud.session(user), region_name=p.region)
        for p in (pod1, pod2))
    server = conn1.compute.wait_for_server(conn1.compute.create_server(
        name="snap-src", image_id=IMAGE_ID, flavor_id="1", networks="none"))
    image_id = conn1.compute.create_server_image(server, "snap-img")
    image = conn1.image.wait_for_status(
        conn1.image.get_image(image_id), "active", wait=60)
    assert image.name == "snap-img"
    copy = conn2.compute.wait_for_server(conn2.compute.create_server(
        name="snap-copy", image_id=image.id, flavor_id="1",
        networks="none"))
    assert copy.image.id == image.id
    for conn, sid in ((conn1, server.id), (conn2, copy.id)):
        conn.compute.delete_server(sid)
    conn1.image.delete_image(image.id)


def test_volume_from_image_and_back(local_cloud: LocalCloud) -> None:
    conn = openstack.connection.Connection(
        session=local_cloud.session(local_cloud.users[0]),
        region_name=local_cloud.pods[0].region)
    vol = conn.block_storage.create_volume(
        name="from-image", size=1, image_id=IMAGE_ID)
    vol = conn.block_storage.wait_for_status(vol, "available", wait=60)
    assert vol.volume_image_metadata["image_id"] == IMAGE_ID
    resp = conn.block_storage.post(
        f"/volumes/{vol.id}/action",
        json={"os-volume_upload_image": {"image_name": "from-volume",
                                         "disk_format": "raw",
                                         "container_format": "bare"}})
    image_id = resp.json()["os-volume_upload_image"]["image_id"]
    image = conn.image.wait_for_status(
        conn.image.get_image(image_id), "active", wait=60)
    assert image.name == "from-volume"
    conn.block_storage.wait_for_status(vol, "available", wait=60)
    conn.block_storage.delete_volume(vol)
    conn.image.delete_image(image)
