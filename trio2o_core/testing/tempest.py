"""Run tempest suites against the local cloud, straight to a pod or
through the gateway.

``python -m trio2o_core.testing.tempest [--target gateway|pod1]
[--regex R]`` starts the local cloud (and the gateway), writes a tempest
workspace whose catalog region is the target's, runs the suites and
prints tempest's totals. Tempest lives in its own pinned virtualenv
(``$TRIO2O_TEMPEST_ENV`` or ``~/.cache/trio2o/tempest``), built on first
use.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from trio2o_core.testing.cloud import TOP_REGION
from trio2o_core.testing.cloud import LocalCloud

PIN = 'tempest==47.0.0'
#: nova's fixture images, which the local cloud seeds into Glance
IMAGE_REF = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
IMAGE_REF_ALT = 'a2459075-d96c-40d5-893e-577ff92e721c'
SUITES = (
    'tempest.api.compute.servers.test_server_actions',
    'tempest.api.compute.servers.test_servers_negative',
    'tempest.api.compute.test_versions',
    'tempest.api.compute.volumes.test_attach_volume',
    'tempest.api.volume.admin.test_volumes_backup',
    'tempest.api.volume.test_availability_zone',
    'tempest.api.volume.test_volumes_actions',
    'tempest.api.volume.test_volumes_get',
    'tempest.api.volume.test_volumes_list',
    r'tempest.api.volume.test_volumes_snapshots\b',
    'tempest.api.volume.test_volumes_snapshots_list',
    'tempest.api.volume.test_volumes_snapshots_negative',
    r'tempest.api.volume.admin.test_volume_types\b',
    'tempest.api.volume.admin.test_volume_types_extra_specs',
    'tempest.api.volume.admin.test_volume_types_negative',
    'tempest.api.volume.admin.test_volume_type_access',
    r'tempest.api.volume.admin.test_volume_quotas\b',
    r'tempest.api.volume.admin.test_volume_services\b',
    'tempest.api.volume.admin.test_volume_pools',
)
#: tests that need what the pods lack, left out for a pod and the
#: gateway alike: Neutron security groups (nova's fake Neutron accepts
#: any group name and keeps none), a console longer than the fake
#: driver's three lines, volume lists filtered by name (the pods'
#: Cinder refuses the ``name`` filter to non-admins at the versions
#: tempest asks for), a volume of a type whose extra specs no backend of
#: the pods matches, the pods' fake volume hosts (``<host>#fake``,
#: without tempest's ``@backend``) and volume transfers (not served).
#: The catalog's network service is a stub that answers only tempest's
#: housekeeping.
EXCLUDE = ('test_remove_server_all_security_groups|'
           'test_create_with_nonexistent_security_group|'
           'test_get_console_output_with_unlimited_size|'
           'test_volume_list_by_name|test_volume_list_details_by_name|'
           'test_volume_list_with_detail_param_display_name_and_status|'
           'test_volume_crud_with_volume_type_and_extra_specs|'
           'test_get_service_by_volume_host_name|'
           'test_quota_usage_after_volume_transfer')
_TOTAL = re.compile(r'^ - (Passed|Skipped|Failed|Expected Fail|'
                    r'Unexpected Success): (\d+)', re.M)
_RESULT = re.compile(r'^\{\d+\} (\S+?)(?:\[[^\]]*\])?(?: \[[\d.]+s\])? '
                     r'\.\.\. (ok|FAILED|SKIPPED)', re.M)


@dataclasses.dataclass(frozen=True)
class Totals:
    """What ``tempest run`` reported."""

    passed: int
    skipped: int
    failed: int
    output: str

    def names(self, outcome: str = 'ok') -> set[str]:
        """Ids (without tags) of the tests with ``outcome``: ``ok``,
        ``FAILED`` or ``SKIPPED``."""
        return {name for name, result in _RESULT.findall(self.output)
                if result == outcome}


def tempest_env() -> Path:
    """Return the tempest virtualenv, building it when absent.

    :raises subprocess.CalledProcessError: the install failed.
    """
    path = Path(os.environ.get('TRIO2O_TEMPEST_ENV')
                or Path.home() / '.cache' / 'trio2o' / 'tempest')
    stamp = path / '.trio2o-stamp'
    if stamp.exists() and stamp.read_text() == PIN:
        return path
    subprocess.run([sys.executable, '-m', 'venv', str(path)], check=True)
    subprocess.run([str(path / 'bin' / 'pip'), 'install', '--quiet', PIN],
                   check=True)
    stamp.write_text(PIN)
    return path


def write_workspace(env: Path, workspace: Path, cloud: LocalCloud,
                    region: str) -> None:
    """Create a tempest workspace whose compute is ``region``'s."""
    if not (workspace / 'etc').exists():
        # a registry of our own: tempest refuses a second workspace of the
        # same name in the user's global one
        subprocess.run([str(env / 'bin' / 'tempest'), 'init',
                        '--workspace-path',
                        str(workspace.parent / 'workspaces.yaml'),
                        '--name', f'trio2o-{uuid.uuid4().hex[:8]}',
                        str(workspace)], check=True, capture_output=True)
    admin = cloud.admin
    (workspace / 'etc' / 'tempest.conf').write_text(f"""\
[DEFAULT]
log_file = {workspace / 'tempest.log'}
[auth]
use_dynamic_credentials = true
create_isolated_networks = false
admin_username = {admin.username}
admin_password = {admin.password}
admin_project_name = {admin.project_name}
admin_domain_name = Default
tempest_roles = member
[identity]
uri_v3 = {cloud.keystone_url}
auth_version = v3
region = {TOP_REGION}
[identity-feature-enabled]
api_v2 = false
[compute]
image_ref = {IMAGE_REF}
image_ref_alt = {IMAGE_REF_ALT}
flavor_ref = 1
flavor_ref_alt = 2
build_interval = 1
build_timeout = 120
region = {region}
min_compute_nodes = 1
min_microversion = 2.1
max_microversion = latest
[compute-feature-enabled]
console_output = true
resize = true
pause = true
shelve = true
suspend = true
rescue = true
snapshot = true
change_password = false
[image]
region = {region}
[network]
region = {TOP_REGION}
[volume]
region = {region}
catalog_type = volumev3
build_interval = 1
build_timeout = 120
[volume-feature-enabled]
backup = true
[validation]
run_validation = false
[service_available]
glance = true
neutron = true
cinder = true
swift = false
nova = true
""")


def run(env: Path, workspace: Path, regex: str,
        exclude: str = EXCLUDE, concurrency: int = 2) -> Totals:
    """Run ``tempest run --regex`` in ``workspace`` and parse its totals."""
    result = subprocess.run(
        [str(env / 'bin' / 'tempest'), 'run', '--regex', regex,
         '--exclude-regex', exclude, '--concurrency', str(concurrency)],
        cwd=workspace, capture_output=True, text=True)
    output = result.stdout + result.stderr
    totals = {name: int(count) for name, count in _TOTAL.findall(output)}
    return Totals(totals.get('Passed', 0), totals.get('Skipped', 0),
                  totals.get('Failed', 0) + totals.get(
                      'Unexpected Success', 0), output)


def main() -> int:
    """Run the suites and print the totals; exit 1 when a test failed."""
    from trio2o_core.testing.gateway import GatewayProcess

    parser = argparse.ArgumentParser(prog='python -m ' + __name__)
    parser.add_argument('--target', default='gateway',
                        help='"gateway" or "podN" (straight to a pod)')
    parser.add_argument('--regex', default='|'.join(SUITES))
    parser.add_argument('--workdir', type=Path)
    args = parser.parse_args()
    env = tempest_env()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix='tempest-'))
    with LocalCloud(workdir=workdir / 'cloud') as cloud:
        gateway = None
        region = TOP_REGION
        if args.target == 'gateway':
            gateway = GatewayProcess(cloud, workdir / 'gateway')
            gateway.start()
        else:
            region = cloud.pods[int(args.target.removeprefix('pod')) - 1
                                ].region
        try:
            write_workspace(env, workdir / 'tempest', cloud, region)
            totals = run(env, workdir / 'tempest', args.regex)
        finally:
            if gateway is not None:
                gateway.stop()
    (workdir / 'tempest-output.txt').write_text(totals.output)
    print(totals.output[-6000:])
    print(f'{args.target}: {totals.passed} passed, {totals.failed} failed, '
          f'{totals.skipped} skipped (logs: {workdir})')
    return 1 if totals.failed else 0


if __name__ == '__main__':
    sys.exit(main())
