"""The configuration files of the Glance, Cinder and Nova processes a
:class:`~trio2o_core.testing.cloud.LocalCloud` runs, each authenticating
as :data:`~trio2o_core.testing.keystone.SERVICE_USER`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from trio2o_core.testing.keystone import SERVICE_USER
from trio2o_core.testing.podenv.build import PodEnv

if TYPE_CHECKING:
    from trio2o_core.testing.cloud import Pod


def _authtoken(keystone_url: str, section: str = "keystone_authtoken") -> str:
    return SERVICE_USER.conf_section(keystone_url, section)


def glance_conf(env: PodEnv, gdir: Path, ks_url: str, url: str) -> str:
    """``glance-api.conf`` of a Glance at ``url`` keeping its database and
    images in ``gdir``, validating tokens at ``ks_url``."""
    stores = "\n".join(
        f"[{name}]\nfilesystem_store_datadir = {gdir / sub}\n"
        for name, sub in (("fs", "images"),
                          ("os_glance_staging_store", "staging"),
                          ("os_glance_tasks_store", "tasks")))
    return f"""[DEFAULT]
enabled_backends = fs:file
worker_self_reference_url = {url}
[database]
connection = sqlite:///{gdir}/glance.db
[glance_store]
default_backend = fs
{stores}
[paste_deploy]
flavor = keystone
config_file = {env.etc}/glance/glance-api-paste.ini
[image_format]
require_image_format_match = false
{_authtoken(ks_url)}"""


def cinder_conf(env: PodEnv, pod: Pod, port: int, ks_url: str) -> str:
    """The configuration of ``pod``'s Cinder, listening on ``port``, its
    volumes in the pod's zone, using the pod's Glance (if any) and Nova
    through Keystone at ``ks_url``."""
    glance = f"glance_api_servers = {pod.glance_direct}\n" \
        if pod.glance_direct else ""
    return f"""[DEFAULT]
auth_strategy = keystone
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = {port}
api_paste_config = {env.etc}/cinder/api-paste.ini
storage_availability_zone = {pod.az}
default_availability_zone = {pod.az}
{glance}{_authtoken(ks_url)}
{_authtoken(ks_url, "nova")}region_name = {pod.region}
interface = public
"""


def nova_conf(env: PodEnv, pod: Pod, ks_url: str) -> str:
    """The configuration of ``pod``'s Nova: servers in the pod's zone,
    sending the service user's token along, using the pod's Glance and
    Cinder (if any) and Keystone at ``ks_url``."""
    parts = [f"""[DEFAULT]
default_availability_zone = {pod.az}
allow_resize_to_same_host = true
[api]
response_validation = warn
[wsgi]
api_paste_config = {env.etc}/nova/api-paste.ini
""", _authtoken(ks_url),
        _authtoken(ks_url, "service_user"),
        "send_service_user_token = true\n"]
    if pod.glance_direct:
        parts.append(f"[glance]\napi_servers = {pod.glance_direct}\n")
    if pod.cinder_direct:
        parts += [_authtoken(ks_url, "cinder"),
                  f"endpoint_template = {pod.cinder_direct}"
                  "/v3/%(project_id)s\n"
                  f"os_region_name = {pod.region}\n"]
    return "".join(parts)
