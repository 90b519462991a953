"""Federated pods of the local cloud: Keystone to Keystone (K2K).

The top Keystone is a SAML identity provider (signing with ``xmlsec1``);
each federated pod has a Keystone of its own, a service provider of the
top one, behind the assertion-checking front of
``pods/keystone_sp_wsgi.py``. Everything is configured over REST:

- top: the service provider ``<region>-sp`` (its ECP and auth URLs);
- pod: the identity provider ``top`` (remote id: the top's entity id),
  the mapping ``top-mapping`` and protocol ``saml2``. A federated user
  is the top user of the same name, a member of the pod's group named
  like their top project, which holds the roles on the pod's project of
  that name (see :meth:`FederatedKeystones.grant`).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from trio2o_core.testing.keystone import ADMIN
from trio2o_core.testing.keystone import SERVICE_USER
from trio2o_core.testing.keystone import Credentials
from trio2o_core.testing.keystone import Keystone
from trio2o_core.testing.podenv.build import PodEnv
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import free_port

IDP_ID = "top"
PROTOCOL = "saml2"
MAPPING_ID = "top-mapping"
ECP_PATH = "/Shibboleth.sso/SAML2/ECP"
XMLSEC = "/usr/bin/xmlsec1"

SP_CONF = f"""[auth]
methods = password,token,{PROTOCOL},mapped,application_credential
[federation]
remote_id_attribute = Shib-Identity-Provider
[resource]
admin_project_name = admin
admin_project_domain_name = Default
"""


class FederationError(RuntimeError):
    """The federation cannot be set up (``xmlsec1`` or openssl missing)."""


def xmlsec1() -> str:
    """The ``xmlsec1`` binary Keystone signs with.

    :raises FederationError: it is not installed.
    """
    found = shutil.which("xmlsec1") or (XMLSEC if Path(XMLSEC).exists()
                                        else None)
    if not found:
        raise FederationError("federated pods need the xmlsec1 binary "
                              "(Debian: apt-get install -y xmlsec1)")
    return found


def ensure_idp_keys(env: PodEnv) -> tuple[Path, Path]:
    """A self-signed certificate and key of the identity provider, made
    once per pod environment."""
    keys = env.path / "trio2o-idp-keys"
    cert, key = keys / "idp.crt", keys / "idp.key"
    if not cert.exists():
        keys.mkdir(exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "3650", "-subj", "/CN=trio2o-test-idp",
             "-keyout", str(key) + ".tmp", "-out", str(cert) + ".tmp"],
            check=True, capture_output=True)
        Path(str(key) + ".tmp").rename(key)
        Path(str(cert) + ".tmp").rename(cert)
    return cert, key


class FederatedKeystones:
    """The top Keystone as identity provider and the pods' Keystones as
    its service providers.

    :param env: the pod environment.
    :param workdir: where configuration, data and logs go.
    :param top_port: the port the top Keystone will listen on.
    """

    def __init__(self, env: PodEnv, workdir: Path, top_port: int) -> None:
        self.env = env
        self.workdir = workdir
        self.xmlsec = xmlsec1()
        self.cert, self.key = ensure_idp_keys(env)
        base = f"http://127.0.0.1:{top_port}"
        self.idp_entity_id = f"{base}/v3/OS-FEDERATION/saml2/idp"
        self.metadata = workdir / "idp-metadata.xml"
        self._metadata_proc: Process | None = None

    def idp_conf(self) -> str:
        """The top Keystone's ``[saml]`` section."""
        return f"""[saml]
idp_entity_id = {self.idp_entity_id}
idp_sso_endpoint = {self.idp_entity_id.rsplit('/', 1)[0]}/sso
certfile = {self.cert}
keyfile = {self.key}
xmlsec1_binary = {self.xmlsec}
idp_metadata_path = {self.metadata}
"""

    def write_metadata(self, top: Keystone) -> None:
        """Start writing the top's SAML metadata (for the SP fronts);
        :meth:`wait_metadata` waits for it."""
        script = (f'"{self.env.bin("keystone-manage")}" --config-file '
                  f'"{top.conf_file}" saml_idp_metadata > '
                  f'"{self.metadata}.tmp" && mv "{self.metadata}.tmp" '
                  f'"{self.metadata}"')
        self._metadata_proc = Process(
            "idp-metadata", ["/bin/sh", "-c", script],
            self.workdir / "idp-metadata.log")

    def wait_metadata(self) -> None:
        if self._metadata_proc is not None:
            self._metadata_proc.wait_exit()
            self._metadata_proc = None

    def pod_keystone(self, region: str, port: int,
                     token_expiration: int = 3600) -> Keystone:
        """The (unstarted) Keystone of the federated pod ``region``."""
        base = f"http://127.0.0.1:{port}"
        return Keystone(
            self.env, self.workdir, port, name=f"keystone-{region.lower()}",
            token_expiration=token_expiration,
            extra_conf=SP_CONF, app="keystone_sp_wsgi:application",
            app_env={"TRIO2O_SP_ECP_URL": base + ECP_PATH,
                     "TRIO2O_SP_IDP_METADATA": str(self.metadata),
                     "TRIO2O_SP_XMLSEC": self.xmlsec})

    @staticmethod
    def sp_id(region: str) -> str:
        """The service provider registered in the top for ``region``."""
        return f"{region.lower()}-sp"

    def register(self, top: Keystone, pod: Keystone, region: str) -> str:
        """Register ``pod`` as a service provider of ``top`` and trust
        ``top`` in ``pod``; return the service provider's id."""
        base = pod.url.rsplit("/v3", 1)[0]
        sp_id = self.sp_id(region)
        top.call("PUT", f"/OS-FEDERATION/service_providers/{sp_id}", {
            "service_provider": {
                "auth_url": f"{pod.url}/OS-FEDERATION/identity_providers/"
                            f"{IDP_ID}/protocols/{PROTOCOL}/auth",
                "sp_url": base + ECP_PATH, "enabled": True}})
        pod.call("PUT", f"/OS-FEDERATION/identity_providers/{IDP_ID}", {
            "identity_provider": {"remote_ids": [self.idp_entity_id],
                                  "enabled": True}})
        pod.call("PUT", f"/OS-FEDERATION/mappings/{MAPPING_ID}", {
            "mapping": {"rules": self.rules()}})
        pod.call("PUT", f"/OS-FEDERATION/identity_providers/{IDP_ID}/"
                        f"protocols/{PROTOCOL}",
                 {"protocol": {"mapping_id": MAPPING_ID}})
        return sp_id

    def rules(self) -> list[dict]:
        """The mapping: the top user of the same name, in the group named
        like their top project, when the top Keystone vouches for them."""
        return [{
            "local": [{"user": {"name": "{0}"}},
                      {"group": {"name": "{1}",
                                 "domain": {"name": "Default"}}}],
            "remote": [
                {"type": "openstack_user"},
                {"type": "openstack_project"},
                {"type": "openstack_user_domain", "any_one_of": ["Default"]},
                {"type": "Shib-Identity-Provider",
                 "any_one_of": [self.idp_entity_id]}]}]

    def set_up_pod(self, top: Keystone, pod: Keystone, region: str,
                   service_user: Credentials, users: Iterable[Credentials],
                   admin: Credentials) -> str:
        """Once ``pod`` (the pod ``region``'s Keystone) answers: register
        it, give it the services' user and give the top's projects their
        pod projects (members; the admin's and the service user's as
        admins); return its service provider's id."""
        pod.wait_ready()
        self.wait_metadata()
        sp_id = self.register(top, pod, region)
        pod.ensure_user(service_user, ("admin", "service"))
        for user in users:
            self.grant(pod, user.project_name, ("member", "reader"))
        self.grant(pod, admin.project_name, ("admin",))
        self.grant(pod, service_user.project_name, ("admin", "service"))
        return sp_id

    @staticmethod
    def grant(pod: Keystone, top_project: str,
              roles: tuple[str, ...]) -> str:
        """Give the members of ``top_project`` ``roles`` on the pod's
        project of that name (made if absent); return its id."""
        project = pod.ensure_project(top_project)
        found = pod.get(f"/groups?name={top_project}")["groups"]
        group = found[0]["id"] if found else pod.call("POST", "/groups", {
            "group": {"name": top_project, "domain_id": "default"}},
        )["group"]["id"]
        for role in roles:
            role_id = pod.get(f"/roles?name={role}")["roles"][0]["id"]
            pod.call("PUT", f"/projects/{project}/groups/{group}/roles/"
                            f"{role_id}")
        return project


def keystone_pair(env: PodEnv, workdir: Path, users: Iterable[Credentials],
                  token_expiration: int = 3600
                  ) -> tuple[Keystone, Keystone, str]:
    """Start a top Keystone (identity provider) with ``users`` and the
    Keystone of a federated pod ``Pod2`` (service provider), both issuing
    tokens that live ``token_expiration`` seconds; return them and the
    service provider's id. The caller stops both.

    :raises FederationError: ``xmlsec1`` is missing.
    """
    top_port = free_port()
    fed = FederatedKeystones(env, workdir, top_port)
    top = Keystone(env, workdir, top_port, token_expiration,
                   extra_conf=fed.idp_conf())
    pod = fed.pod_keystone("Pod2", free_port(), token_expiration)
    top.start()
    try:
        fed.write_metadata(top)
        pod.start()
        top.wait_ready()
        users = list(users)
        for user in users:
            top.ensure_user(user, ("member", "reader"))
        sp_id = fed.set_up_pod(top, pod, "Pod2", SERVICE_USER, users,
                               ADMIN)
    except BaseException:
        top.stop()
        pod.stop()
        raise
    return top, pod, sp_id
