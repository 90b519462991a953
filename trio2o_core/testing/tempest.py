"""Run tempest suites against the local cloud, straight to a pod and
through the gateway, and compare.

``python -m trio2o_core.testing.tempest [--suites full|ci]
[--target both|gateway|podN] [--regex R | --module M ...]`` starts the
local cloud (and the gateway), writes a tempest workspace whose catalog
region is the target's, runs the suites (or the modules named) and
prints tempest's totals; with ``both`` (the default) it runs them once
straight at pod 1 and once through the gateway, then prints the counts
per module side by side and every test whose result differs. ``full``
is tempest's compute API suite and image API tests, but for
:data:`COMPUTE_EXCLUSIONS`; ``ci`` the part CI runs (:data:`SUITES` and
:data:`CI_COMPUTE_SUITES`). Tempest lives in its own pinned virtualenv
(``$TRIO2O_TEMPEST_ENV`` or ``~/.cache/trio2o/tempest``), built on first use.
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
from collections.abc import Sequence
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
    'tempest.api.volume.admin.test_volume_services',
    'tempest.api.volume.admin.test_volume_pools',
)
#: tests that need what the pods lack, left out for a pod and the
#: gateway alike: Neutron security groups (nova's fake Neutron accepts
#: any group name and keeps none), a console longer than the fake
#: driver's three lines, volume lists filtered by name (the pods'
#: Cinder refuses the ``name`` filter to non-admins at the versions
#: tempest asks for), a volume of a type whose extra specs no backend of
#: the pods matches, the pods' fake volume hosts (``<host>#fake``,
#: without tempest's ``@backend``, which the volume transfer tests
#: check too).
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
#: tempest's compute and image API tests, run by ``--suites full``
FULL_SUITES = (r'tempest\.api\.compute\.', r'tempest\.api\.image\.')
#: compute modules CI runs besides :data:`SUITES` (the gateway's own
#: work: flavor management, host aggregates, key pairs, instance actions
#: of deleted servers, merged and filtered server lists, server groups,
#: quotas, the volume and snapshot proxy)
CI_COMPUTE_SUITES = (
    'tempest.api.compute.admin.test_flavors',
    'tempest.api.compute.admin.test_aggregates',
    'tempest.api.compute.volumes.',
    'tempest.api.compute.flavors.',
    'tempest.api.compute.keypairs.',
    'tempest.api.compute.servers.test_instance_actions',
    'tempest.api.compute.servers.test_list_server_filters',
    'tempest.api.compute.servers.test_list_servers_negative',
    'tempest.api.compute.servers.test_server_group',
    'tempest.api.compute.servers.test_server_metadata',
    'tempest.api.compute.admin.test_quotas',
    'tempest.api.compute.limits.',
)
#: what the full run leaves out, each with why: every reason holds for a
#: pod as much as for the gateway (the pods are Nova with its fake virt
#: driver and fake network, Cinder, Glance with one file store)
COMPUTE_EXCLUSIONS: tuple[tuple[str, str], ...] = (
    (r'security_group|SecurityGroup',
     'Neutron security groups: nova\'s fake network keeps none'),
    (r'floating_ip|FloatingIP',
     'floating IPs: the network service is a stub'),
    (r'test_networks|test_tenant_networks|test_auto_allocate_network|'
     r'multi_nic|test_attach_interfaces|'
     r'ServerAddressesTestJSON\.test_list_server_addresses\b',
     'networking: the fake network gives servers no ports or addresses'),
    (r'test_get_console_output_with_unlimited_size',
     'wants a console longer than the fake driver\'s three lines (waits '
     'for 2 minutes)'),
    (r'test_get_hypervisor_uptime',
     'the fake virt driver reports no uptime'),
    (r'test_volume_assisted_snapshot_create_delete',
     'tempest\'s schema wants a volume host "<host>@<backend>#<pool>"; '
     'the pods\' Cinder names it "<host>#<pool>"'),
    (r'test_basic_meta_def_namespace_property|'
     r'test_basic_metadata_definition_namespaces|'
     r'test_basic_meta_def_resource_type_association',
     'the pods\' Glance has no metadata definitions loaded'),
    (r'test_image_copy_image_import',
     'needs several Glance stores (waits 5 minutes)'),
    (r'test_image_web_download_import',
     'downloads from the internet (the pods\' Glance filters the URI)'),
)
_TOTAL = re.compile(r'^ - (Passed|Skipped|Failed|Expected Fail|'
                    r'Unexpected Success): (\d+)', re.M)
_RESULT = re.compile(r'^\{\d+\} (\S+?|\w+ \(\S+\))(?:\[[^\]]*\])?'
                     r'(?: \[[\d.]+s\])? \.\.\. (ok|FAILED|SKIPPED)', re.M)
#: a class fixture's result: ``setUpClass (<module>.<class>)``
_FIXTURE = re.compile(r'^(\w+) \((\S+)\)$')


@dataclasses.dataclass(frozen=True)
class Totals:
    """What ``tempest run`` reported."""

    passed: int
    skipped: int
    failed: int
    output: str

    def names(self, outcome: str = 'ok') -> set[str]:
        """Ids (without tags) of the tests with ``outcome``: ``ok``,
        ``FAILED`` or ``SKIPPED``; a class fixture's is
        ``<module>.<class>.setUpClass``."""
        return {name for name, result in self.results().items()
                if result == outcome}

    def results(self) -> dict[str, str]:
        """Each test's id (see :meth:`names`) and outcome."""
        found = {}
        for name, result in _RESULT.findall(self.output):
            fixture = _FIXTURE.match(name)
            if fixture:
                name = f'{fixture.group(2)}.{fixture.group(1)}'
            found[name] = result
        return found


def module_of(test_id: str) -> str:
    """The tempest module of a test id (``<module>.<Class>.<test>``)."""
    return test_id.rsplit('.', 2)[0]


def compare(pod: Totals, gateway: Totals) -> str:
    """A report of two runs of the same tests: per module, the passed,
    failed and skipped counts straight at the pod and through the
    gateway, then every test whose outcome differs."""
    counts: dict[str, dict[str, list[int]]] = {}
    slot = {'ok': 0, 'FAILED': 1, 'SKIPPED': 2}
    runs = {'pod': pod.results(), 'gateway': gateway.results()}
    for side, results in runs.items():
        for name, result in results.items():
            module = counts.setdefault(module_of(name), {
                'pod': [0, 0, 0], 'gateway': [0, 0, 0]})
            module[side][slot[result]] += 1
    lines = ['| module | pod passed/failed/skipped | gateway '
             'passed/failed/skipped |', '|---|---|---|']
    for module in sorted(counts):
        both = counts[module]
        lines.append(f"| {module.removeprefix('tempest.api.')} | "
                     f"{'/'.join(map(str, both['pod']))} | "
                     f"{'/'.join(map(str, both['gateway']))} |")
    total = [[pod.passed, pod.failed, pod.skipped],
             [gateway.passed, gateway.failed, gateway.skipped]]
    lines.append(f"| total | {'/'.join(map(str, total[0]))} | "
                 f"{'/'.join(map(str, total[1]))} |")
    differ = sorted(name for name in runs['pod'].keys() | runs['gateway']
                    if runs['pod'].get(name) != runs['gateway'].get(name))
    lines += ['', f'{len(differ)} tests differ (pod -> gateway):']
    lines += [f"  {name}: {runs['pod'].get(name, 'not run')} -> "
              f"{runs['gateway'].get(name, 'not run')}" for name in differ]
    return '\n'.join(lines)


def suites(which: str) -> str:
    """The regex of the ``full`` or ``ci`` suites."""
    if which == 'full':
        return '^(?:' + '|'.join(FULL_SUITES) + ')'
    return '|'.join((*SUITES, *CI_COMPUTE_SUITES))


def modules(names: Sequence[str]) -> str:
    """The regex of whole tempest modules, each named as the comparison
    names it (``compute.admin.test_aggregates_negative``) or in full."""
    full = [name if name.startswith('tempest.') else 'tempest.api.' + name
            for name in names]
    return '^(?:' + '|'.join(re.escape(name) + r'\.' for name in full) + ')'


def excluded() -> str:
    """The regex of the tests left out of every run."""
    return '|'.join((EXCLUDE, *(regex for regex, _ in COMPUTE_EXCLUSIONS)))


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
        exclude: str | None = None, concurrency: int = 2) -> Totals:
    """Run ``tempest run --regex`` in ``workspace`` and parse its totals."""
    result = subprocess.run(
        [str(env / 'bin' / 'tempest'), 'run', '--regex', regex,
         '--exclude-regex', excluded() if exclude is None else exclude,
         '--concurrency', str(concurrency)],
        cwd=workspace, capture_output=True, text=True)
    output = result.stdout + result.stderr
    totals = {name: int(count) for name, count in _TOTAL.findall(output)}
    return Totals(totals.get('Passed', 0), totals.get('Skipped', 0),
                  totals.get('Failed', 0) + totals.get(
                      'Unexpected Success', 0), output)


def main() -> int:
    """Run the suites and print the totals (and, for ``both``, the
    comparison); exit 1 when a test failed through the gateway that
    passed at the pod (``both``), or when one failed (one target)."""
    from trio2o_core.testing.gateway import GatewayProcess

    parser = argparse.ArgumentParser(
        prog='python -m trio2o_core.testing.tempest')
    parser.add_argument('--target', default='both',
                        help='"both" (pod 1, then the gateway), '
                             '"gateway" or "podN" (straight to a pod)')
    parser.add_argument('--suites', choices=('full', 'ci'), default='full')
    parser.add_argument('--regex', help='tests to run instead of --suites')
    parser.add_argument('--module', action='append', default=[],
                        help='a tempest module to run instead of --suites '
                             '(as the comparison names it, e.g. '
                             'compute.admin.test_flavors); repeatable')
    parser.add_argument('--workdir', type=Path)
    args = parser.parse_args()
    regex = (args.regex or (modules(args.module) if args.module else None)
             or suites(args.suites))
    env = tempest_env()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix='tempest-'))
    targets = (['pod1', 'gateway'] if args.target == 'both'
               else [args.target])
    results: dict[str, Totals] = {}
    with LocalCloud(workdir=workdir / 'cloud') as cloud:
        for target in targets:
            gateway = None
            region = TOP_REGION
            if target == 'gateway':
                gateway = GatewayProcess(cloud, workdir / 'gateway')
                gateway.start()
            else:
                region = cloud.pods[int(target.removeprefix('pod')) - 1
                                    ].region
            try:
                write_workspace(env, workdir / f'tempest-{target}', cloud,
                                region)
                totals = run(env, workdir / f'tempest-{target}', regex)
            finally:
                if gateway is not None:
                    gateway.stop()
            (workdir / f'tempest-{target}.txt').write_text(totals.output)
            results[target] = totals
            print(f'{target}: {totals.passed} passed, {totals.failed} '
                  f'failed, {totals.skipped} skipped', flush=True)
    if len(results) == 1:
        (totals,) = results.values()
        print(totals.output[-6000:])
        print(f'logs: {workdir}')
        return 1 if totals.failed else 0
    pod, top = results['pod1'], results['gateway']
    report = compare(pod, top)
    (workdir / 'comparison.md').write_text(report + '\n')
    print(report)
    print(f'logs: {workdir}')
    return 1 if pod.names() - top.names() else 0


if __name__ == '__main__':
    sys.exit(main())
