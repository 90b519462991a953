"""A real Keystone (SQLite, fernet tokens) for the local cloud.

The database and key repositories are bootstrapped once per pod
environment and copied for each run, which saves most of Keystone's
start-up time.  Keystone runs under gunicorn with one single-threaded
worker (SQLite answers "database is locked" to concurrent writers) and an
in-memory token cache.
"""

from __future__ import annotations

import dataclasses
import fcntl
import grp
import os
import pwd
import shutil
import tempfile
from pathlib import Path

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from trio2o_core.testing.podenv.build import PodEnv
from trio2o_core.testing.podenv.build import pins_digest
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import http_ok

PODS_DIR = Path(__file__).resolve().parent / "pods"
ADMIN_PASSWORD = "secret"
SEED_URL = "http://127.0.0.1:5000/v3"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A Keystone user with a project scope (Default domain)."""

    username: str
    password: str
    project_name: str

    def conf_section(self, auth_url: str,
                     section: str = "keystone_authtoken") -> str:
        """An oslo.config section authenticating as these credentials
        (keystonemiddleware's and keystoneauth's password options)."""
        return f"""[{section}]
www_authenticate_uri = {auth_url}
auth_url = {auth_url}
auth_type = password
username = {self.username}
password = {self.password}
project_name = {self.project_name}
user_domain_id = default
project_domain_id = default
"""

    def auth(self, auth_url: str) -> v3.Password:
        """A keystoneauth password plugin for these credentials."""
        return v3.Password(
            auth_url=auth_url, username=self.username,
            password=self.password, project_name=self.project_name,
            user_domain_id="default", project_domain_id="default")


ADMIN = Credentials("admin", ADMIN_PASSWORD, "admin")
#: the user the services (and the gateway) authenticate as
SERVICE_USER = Credentials("trio2o", "trio2o", "service")


def _config(data: Path, token_expiration: int = 3600) -> str:
    return f"""[database]
connection = sqlite:///{data}/keystone.db
[token]
provider = fernet
expiration = {token_expiration}
[fernet_tokens]
key_repository = {data}/fernet-keys
[credential]
key_repository = {data}/credential-keys
[identity]
password_hash_rounds = 4
[cache]
enabled = true
backend = dogpile.cache.memory
"""


def _manage(env: PodEnv, conf: Path, log: Path, *args: str) -> None:
    cmd = [str(env.bin("keystone-manage")), "--config-file", str(conf), *args]
    Process("keystone-manage", cmd, log).wait_exit()


def ensure_seed(env: PodEnv) -> Path:
    """A bootstrapped Keystone data dir for ``env``, built once."""
    seed = env.path / "trio2o-keystone-seed"
    stamp = seed / "stamp"
    if stamp.exists() and stamp.read_text() == pins_digest():
        return seed
    with open(env.path / "trio2o-keystone-seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == pins_digest():
            return seed
        tmp = Path(tempfile.mkdtemp(prefix="seed-", dir=env.path))
        conf = tmp / "keystone.conf"
        conf.write_text(_config(tmp))
        log = tmp / "seed.log"
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        owner = ("--keystone-user", user, "--keystone-group", group)
        _manage(env, conf, log, "db_sync")
        _manage(env, conf, log, "fernet_setup", *owner)
        _manage(env, conf, log, "credential_setup", *owner)
        _manage(env, conf, log, "bootstrap",
                "--bootstrap-password", ADMIN_PASSWORD,
                "--bootstrap-region-id", "RegionOne",
                "--bootstrap-admin-url", SEED_URL,
                "--bootstrap-internal-url", SEED_URL,
                "--bootstrap-public-url", SEED_URL)
        conf.unlink()
        (tmp / "stamp").write_text(pins_digest())
        shutil.rmtree(seed, ignore_errors=True)
        tmp.rename(seed)
    return seed


class Keystone:
    """A Keystone server process and an admin session to it.

    ``token_expiration`` is the lifetime of the tokens it issues, in
    seconds. ``name`` names its data dir and log in ``workdir``;
    ``extra_conf`` is appended to its configuration; ``app`` is the WSGI
    application (module:name in the pod helpers) gunicorn serves, with
    ``env`` added to its environment.
    """

    def __init__(self, env: PodEnv, workdir: Path, port: int,
                 token_expiration: int = 3600, name: str = "keystone",
                 extra_conf: str = "",
                 app: str = "keystone_wsgi:application",
                 app_env: dict[str, str] | None = None) -> None:
        self.env = env
        self.token_expiration = token_expiration
        self.name = name
        self.data = workdir / name
        self.port = port
        self.url = f"http://127.0.0.1:{port}/v3"
        self.extra_conf = extra_conf
        self.app = app
        self.app_env = dict(app_env or {})
        self.process: Process | None = None
        self._admin: ks_session.Session | None = None

    @property
    def conf_file(self) -> Path:
        return self.data / "keystone.conf"

    def start(self) -> None:
        """Copy the seed and launch gunicorn (returns before it is ready);
        after :meth:`stop`, launch it again on the same data."""
        conf = self.conf_file
        if not self.data.exists():
            shutil.copytree(ensure_seed(self.env), self.data)
            conf.write_text(_config(self.data, self.token_expiration)
                            + self.extra_conf)
        cmd = [str(self.env.bin("gunicorn")), "--chdir", str(PODS_DIR),
               "-b", f"127.0.0.1:{self.port}", "-w", "1",
               "--timeout", "300", self.app]
        self.process = Process(
            self.name, cmd, self.data.parent / f"{self.name}.log",
            env={"OS_KEYSTONE_CONFIG_FILES": str(conf), **self.app_env})

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for the API, then point the identity endpoints at it."""
        assert self.process is not None
        self.process.wait_ready(http_ok(self.url), timeout)
        for ep in self.get("/endpoints")["endpoints"]:
            if ep["url"] == SEED_URL:
                self.call("PATCH", f"/endpoints/{ep['id']}",
                          {"endpoint": {"url": self.url}})

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    @property
    def admin(self) -> ks_session.Session:
        """A session scoped to the admin project."""
        if self._admin is None:
            self._admin = ks_session.Session(auth=ADMIN.auth(self.url))
        return self._admin

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        """Call Keystone's v3 API as admin; raises on HTTP errors."""
        resp = self.admin.request(self.url + path, method, json=body)
        return resp.json() if resp.content else {}

    def get(self, path: str) -> dict:
        return self.call("GET", path)

    def _find(self, kind: str, name: str) -> str | None:
        found = self.get(f"/{kind}s?name={name}")[f"{kind}s"]
        return found[0]["id"] if found else None

    def ensure_project(self, name: str) -> str:
        """Id of project ``name`` in the Default domain, created if absent."""
        return self._find("project", name) or self.call(
            "POST", "/projects",
            {"project": {"name": name, "domain_id": "default"}},
        )["project"]["id"]

    def ensure_user(self, creds: Credentials, roles: tuple[str, ...]) -> str:
        """Create ``creds``' user and project and grant ``roles`` on it."""
        project = self.ensure_project(creds.project_name)
        user = self._find("user", creds.username) or self.call(
            "POST", "/users",
            {"user": {"name": creds.username, "password": creds.password,
                      "domain_id": "default",
                      "default_project_id": project}},
        )["user"]["id"]
        for role in roles:
            role_id = self._find("role", role)
            self.call("PUT",
                      f"/projects/{project}/users/{user}/roles/{role_id}")
        return user

    def ensure_region(self, region: str) -> None:
        if not any(r["id"] == region for r in self.get("/regions")["regions"]):
            self.call("POST", "/regions", {"region": {"id": region}})

    def ensure_service(self, service_type: str, name: str) -> str:
        for svc in self.get(f"/services?type={service_type}")["services"]:
            return svc["id"]
        return self.call(
            "POST", "/services",
            {"service": {"type": service_type, "name": name}},
        )["service"]["id"]

    def set_endpoint(self, service_type: str, name: str, region: str,
                     url: str) -> None:
        """Make ``url`` the public endpoint of a service in ``region``."""
        self.ensure_region(region)
        service = self.ensure_service(service_type, name)
        eps = self.get(f"/endpoints?service_id={service}&interface=public"
                       f"&region_id={region}")["endpoints"]
        if eps:
            self.call("PATCH", f"/endpoints/{eps[0]['id']}",
                      {"endpoint": {"url": url}})
        else:
            self.call("POST", "/endpoints", {"endpoint": {
                "service_id": service, "interface": "public",
                "region_id": region, "url": url}})
