"""Launch a real OpenStack on loopback for tests and demos.

:class:`LocalCloud` starts a shared Keystone, ``N`` Nova pods and ``M``
Cinder pods (each its own process and its own Keystone region ``PodN``
with availability zone ``podN-zone``) and one Glance.  Every pod endpoint
in the catalog goes through the pod's :class:`FaultProxy`, so tests can
make a pod refuse, stall or fail.  See ``doc/source/testing.md``.

Example::

    with LocalCloud(workdir=tmp_path) as cloud:
        sess = cloud.session(cloud.users[0])
        sess.get("/servers", endpoint_filter={
            "service_type": "compute", "region_name": "Pod1"})
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import yaml
from keystoneauth1 import session as ks_session

from trio2o_core.testing.faultproxy import FaultProxy
from trio2o_core.testing.federation import FederatedKeystones
from trio2o_core.testing.keystone import ADMIN
from trio2o_core.testing.keystone import PODS_DIR
from trio2o_core.testing.keystone import SERVICE_USER
from trio2o_core.testing.keystone import Credentials
from trio2o_core.testing.keystone import Keystone
from trio2o_core.testing.netstub import NetworkStub
from trio2o_core.testing.podenv.build import PodEnv
from trio2o_core.testing.podenv.build import ensure as ensure_podenv
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import free_port
from trio2o_core.testing.process import http_ok
from trio2o_core.testing.service_conf import cinder_conf
from trio2o_core.testing.service_conf import glance_conf
from trio2o_core.testing.service_conf import nova_conf

__all__ = ["ADMIN", "Credentials", "LocalCloud", "Pod", "TOP_REGION"]

TOP_REGION = "RegionOne"
#: the services trio2o-api serves for the top region
GATEWAY_SERVICES = ("compute", "volume", "image")
USERS = (Credentials("demo", "demo", "demo"),
         Credentials("alt", "alt", "alt"))


@dataclasses.dataclass
class Pod:
    """One bottom region of the local cloud.

    The ``*_url`` attributes are the catalog endpoints, which go through
    ``proxy``; ``nova_direct``/``cinder_direct`` bypass it.  A URL is None
    when the pod has no such service.
    """

    index: int
    region: str
    az: str
    proxy: FaultProxy
    compute_url: str | None = None
    volume_url: str | None = None
    image_url: str | None = None
    nova_direct: str | None = None
    cinder_direct: str | None = None
    #: the Glance the pod's services use (a federated pod has its own)
    glance_direct: str | None = None
    #: a federated pod's own Keystone, and its service provider's id in
    #: the top Keystone
    keystone: Keystone | None = None
    service_provider: str | None = None


class LocalCloud:
    """Keystone + Nova pods + Cinder pods + Glance, as child processes.

    ``workdir`` holds every process's config, data and log (a temporary
    dir, removed on :meth:`stop`, when not given).  ``pod_env`` is the pod
    virtualenv; it is built on first use when absent.  With
    ``gateway_url``, the top region's endpoints are registered for it.
    The last ``federated_pods`` pods are federated: each has a Keystone
    (and a Glance) of its own, a service provider of the top Keystone
    (see :mod:`trio2o_core.testing.federation`); its endpoints are in its
    own Keystone's catalog only.
    """

    def __init__(self, nova_pods: int = 2, cinder_pods: int = 2,
                 glance: bool = True, workdir: Path | None = None,
                 gateway_url: str | None = None,
                 pod_env: Path | None = None,
                 computes_per_pod: int = 2,
                 federated_pods: int = 0) -> None:
        self.n_federated = federated_pods
        self.federation: FederatedKeystones | None = None
        self.n_nova = nova_pods
        self.n_cinder = cinder_pods
        self.with_glance = glance
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="localcloud-"))
        self.gateway_url = gateway_url
        self.pod_env_path = pod_env
        self.computes_per_pod = computes_per_pod
        self.admin = ADMIN
        self.users = USERS
        self.service_user = SERVICE_USER
        self.pods: list[Pod] = []
        self.glance_url: str | None = None
        self.network_url: str | None = None
        self.keystone: Keystone | None = None
        #: what :meth:`stop` stops: a Keystone itself, whose process a
        #: test may stop and start again
        self._procs: list[Process | Keystone] = []
        self._netstub: NetworkStub | None = None

    # -- public API -------------------------------------------------------

    @property
    def keystone_url(self) -> str:
        """Keystone's v3 URL (``http://127.0.0.1:PORT/v3``)."""
        if self.keystone is None:
            raise RuntimeError("the cloud is not started")
        return self.keystone.url

    def start(self) -> None:
        """Start everything and wait until every API answers.

        Raises :class:`~trio2o_core.testing.process.StartError` (with the
        tail of the failing process's log) if a service does not come up;
        whatever was started is stopped again.
        """
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process and proxy; idempotent."""
        for proc in reversed(self._procs):
            proc.stop()
        self._procs.clear()
        for pod in self.pods:
            pod.proxy.close()
        if self._netstub is not None:
            self._netstub.close()
            self._netstub = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def session(self, user: Credentials) -> ks_session.Session:
        """A keystoneauth session for ``user``, scoped to its project."""
        return ks_session.Session(auth=user.auth(self.keystone_url))

    def register_gateway(self, url: str,
                         services: tuple[str, ...] = GATEWAY_SERVICES
                         ) -> None:
        """Point the top region's endpoints of ``services`` (``compute``,
        ``image``, ``volume``) at the gateway at ``url``."""
        ks = self._ks()
        base = url.rstrip("/")
        if "compute" in services:
            ks.set_endpoint("compute", "nova", TOP_REGION,
                            base + "/compute/v2.1")
        if "volume" in services:
            ks.set_endpoint("volumev3", "cinderv3", TOP_REGION,
                            base + "/volume/v3")
            ks.set_endpoint("block-storage", "cinder", TOP_REGION,
                            base + "/volume/v3")
        if "image" in services:
            ks.set_endpoint("image", "glance", TOP_REGION, base + "/image")
        self.gateway_url = url

    def cloud_entry(self, user: Credentials, region: str) -> dict:
        """A clouds.yaml entry for ``user`` in ``region`` (a federated
        pod's region: at that pod's own Keystone)."""
        auth_url = self.keystone_url
        for pod in self.pods:
            if pod.region == region and pod.keystone is not None:
                auth_url = pod.keystone.url
        return {
            "auth": {
                "auth_url": auth_url,
                "username": user.username,
                "password": user.password,
                "project_name": user.project_name,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": region,
            "identity_api_version": 3,
        }

    def write_clouds_yaml(self, path: Path,
                          entries: dict[str, dict] | None = None) -> None:
        """Write a clouds.yaml; by default ``podN`` entries, admin, each
        straight to its pod's region.  ``entries`` (name -> entry from
        :meth:`cloud_entry`) are added to, or replace, those."""
        clouds = {f"pod{p.index}": self.cloud_entry(self.admin, p.region)
                  for p in self.pods}
        clouds.update(entries or {})
        Path(path).write_text(
            yaml.safe_dump({"clouds": clouds}, sort_keys=False))

    # -- start-up ---------------------------------------------------------

    def _ks(self) -> Keystone:
        if self.keystone is None:
            raise RuntimeError("the cloud is not started")
        return self.keystone

    def _spawn(self, name: str, cmd: list[str],
               env: dict[str, str] | None = None) -> Process:
        proc = Process(name, cmd, self.workdir / f"{name}.log", env=env)
        self._procs.append(proc)
        return proc

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = ensure_podenv(self.pod_env_path)
        n_pods = max(self.n_nova, self.n_cinder)
        glance_port = free_port() if self.with_glance else None
        if glance_port:
            self.glance_url = f"http://127.0.0.1:{glance_port}"
        top_port = free_port()
        if self.n_federated:
            self.federation = FederatedKeystones(env, self.workdir,
                                                 top_port)
        self.keystone = Keystone(
            env, self.workdir, top_port,
            extra_conf=self.federation.idp_conf() if self.federation
            else "")
        self.keystone.start()
        self._procs.append(self.keystone)
        if self.federation:
            self.federation.write_metadata(self.keystone)
        ks_url = self.keystone.url

        glances: list[tuple[str, str, str, Process]] = []
        if self.glance_url:
            glances.append(self._sync_glance(env, "glance", self.glance_url,
                                             ks_url))

        waits: list[tuple[Process, Path]] = []
        for i in range(1, n_pods + 1):
            pod = Pod(i, f"Pod{i}", f"pod{i}-zone", FaultProxy(f"pod{i}"),
                      glance_direct=self.glance_url)
            self.pods.append(pod)
            ks_url = self.keystone.url
            if self.federation and i > n_pods - self.n_federated:
                pod.keystone = self.federation.pod_keystone(pod.region,
                                                            free_port())
                pod.keystone.start()
                self._procs.append(pod.keystone)
                ks_url = pod.keystone.url
                if self.with_glance:
                    pod.glance_direct = f"http://127.0.0.1:{free_port()}"
                    glances.append(self._sync_glance(
                        env, f"glance-pod{i}", pod.glance_direct, ks_url))
            cinder_port = free_port() if i <= self.n_cinder else None
            if cinder_port:
                pod.cinder_direct = f"http://127.0.0.1:{cinder_port}"
                waits.append(self._start_pod(
                    env, "cinder", pod,
                    cinder_conf(env, pod, cinder_port, ks_url),
                    cinder_port))
            if i <= self.n_nova:
                nova_port = free_port()
                pod.nova_direct = f"http://127.0.0.1:{nova_port}"
                waits.append(self._start_pod(
                    env, "nova", pod,
                    nova_conf(env, pod, ks_url), nova_port))

        self.keystone.wait_ready()
        self._setup_identity()
        for name, url, glance_ks, sync in glances:
            self._start_glance(env, sync, name, url, glance_ks)
        for proc, ready in waits:
            proc.wait_ready(ready.exists, timeout=180)
        for pod in self.pods:
            self._register_pod(pod)
        self._netstub = NetworkStub()
        self.network_url = self._netstub.url
        self._ks().set_endpoint("network", "neutron", TOP_REGION,
                                self.network_url)
        if self.gateway_url:
            self.register_gateway(self.gateway_url)

    def _start_pod(self, env: PodEnv, kind: str, pod: Pod, conf: str,
                   port: int) -> tuple[Process, Path]:
        name = f"{kind}-pod{pod.index}"
        conf_path = self.workdir / f"{name}.conf"
        conf_path.write_text(conf)
        ready = self.workdir / f"{name}.ready"
        ready.unlink(missing_ok=True)
        cmd = [str(env.python), str(PODS_DIR / f"{kind}_pod.py"),
               "--config-file", str(conf_path), "--ready-file", str(ready),
               "--log-file", str(self.workdir / f"{name}.log")]
        if kind == "nova":
            cmd += ["--port", str(port),
                    "--computes", str(self.computes_per_pod)]
        return self._spawn(name, cmd), ready

    def _setup_identity(self) -> None:
        ks = self._ks()
        ks.ensure_user(self.service_user, ("admin", "service"))
        for user in self.users:
            ks.ensure_user(user, ("member", "reader"))
        for pod in self.pods:
            if pod.keystone is not None and self.federation is not None:
                pod.service_provider = self.federation.set_up_pod(
                    ks, pod.keystone, pod.region, self.service_user,
                    self.users, self.admin)

    def _sync_glance(self, env: PodEnv, name: str, url: str,
                     ks_url: str) -> tuple[str, str, str, Process]:
        gdir = self.workdir / name
        gdir.mkdir()
        (gdir / "glance-api.conf").write_text(
            glance_conf(env, gdir, ks_url, url))
        return name, url, ks_url, self._spawn(f"{name}-manage", [
            str(env.bin("glance-manage")), "--config-file",
            str(gdir / "glance-api.conf"), "db_sync"])

    def _start_glance(self, env: PodEnv, sync: Process, name: str,
                      url: str, ks_url: str) -> None:
        sync.wait_exit()
        port = url.rsplit(":", 1)[1]
        proc = self._spawn(name, [
            str(env.bin("gunicorn")), "--chdir", str(PODS_DIR),
            "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "300",
            "glance_wsgi:application"],
            env={"OS_GLANCE_CONFIG_DIR": str(self.workdir / name)})
        proc.wait_ready(http_ok(url + "/versions"), timeout=60)
        self._spawn(f"{name}-seed", [
            str(env.python), str(PODS_DIR / "seed_images.py")], env={
                "OS_AUTH_URL": ks_url,
                "OS_USERNAME": self.admin.username,
                "OS_PASSWORD": self.admin.password,
                "OS_PROJECT_NAME": self.admin.project_name,
                "OS_IMAGE_URL": url,
            }).wait_exit()

    def _register_pod(self, pod: Pod) -> None:
        ks = pod.keystone or self._ks()
        ks.set_endpoint("identity", "keystone", pod.region, ks.url)
        if pod.nova_direct:
            route = pod.proxy.add_route(pod.nova_direct)
            pod.compute_url = route.url + "/v2.1"
            ks.set_endpoint("compute", "nova", pod.region, pod.compute_url)
        if pod.cinder_direct:
            route = pod.proxy.add_route(pod.cinder_direct)
            pod.volume_url = route.url + "/v3"
            url = pod.volume_url + "/%(project_id)s"
            ks.set_endpoint("volumev3", "cinderv3", pod.region, url)
            ks.set_endpoint("block-storage", "cinder", pod.region, url)
        if pod.glance_direct:
            route = pod.proxy.add_route(pod.glance_direct)
            pod.image_url = route.url
            ks.set_endpoint("image", "glance", pod.region, pod.image_url)
