"""A real ``trio2o-api`` process in front of a :class:`LocalCloud`.

:class:`GatewayProcess` writes a configuration (Keystone auth against the
cloud's Keystone, SQLite under its work dir), syncs the database,
registers every pod of the cloud (pod ``N`` serves availability zone
``azN``; its internal zone is ``podN-zone``), starts ``trio2o-api`` (or
the WSGI application under uWSGI or gunicorn) and points the top region's
compute, block-storage and image endpoints at it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openstack.connection

from trio2o_core.testing.cloud import TOP_REGION
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.keystone import Credentials
from trio2o_core.testing.process import Process
from trio2o_core.testing.process import free_port
from trio2o_core.testing.process import http_ok

BIN = Path(sys.executable).parent


#: the servers the gateway can run under: ``trio2o-api`` (eventlet) or
#: ``trio2o_core.wsgi.api:application`` under a WSGI server
SERVERS = ('trio2o-api', 'uwsgi', 'gunicorn')
#: worker processes of the WSGI servers
WSGI_WORKERS = 2


def server_command(server: str, port: int, conf_file: Path) -> list[str]:
    """The command running the gateway under ``server`` on ``port``
    (the WSGI servers read ``$TRIO2O_CONFIG_FILES``).

    :raises ValueError: not one of :data:`SERVERS`.
    """
    app = 'trio2o_core.wsgi.api:application'
    if server == 'trio2o-api':
        return [str(BIN / 'trio2o-api'), '--config-file', str(conf_file)]
    if server == 'uwsgi':
        return [str(BIN / 'uwsgi'), '--http-socket', f'127.0.0.1:{port}',
                '--module', app, '--master', '--processes',
                str(WSGI_WORKERS), '--threads', '4', '--lazy-apps',
                '--need-app', '--die-on-term', '--disable-logging',
                # its HTTP socket keeps no connection alive: say so
                '--add-header', 'Connection: close']
    if server == 'gunicorn':
        return [str(BIN / 'gunicorn'), '--bind', f'127.0.0.1:{port}',
                '--workers', str(WSGI_WORKERS), '--threads', '4', app]
    raise ValueError(f'unknown server {server!r}; one of {SERVERS}')


def install_distribution(source: Path, site: Path) -> None:
    """Install the distribution at ``source`` (without dependencies) into
    the directory ``site``, for a gateway's ``PYTHONPATH``: its modules
    and entry points, as ``pip install`` would put them. It is built from
    a copy, so that no build metadata is left in ``source`` (where it
    would register its entry points for anyone importing from there).

    :raises subprocess.CalledProcessError: pip failed.
    """
    with tempfile.TemporaryDirectory(prefix='trio2o-dist-') as tmp:
        copy = Path(tmp) / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(
            '*.egg-info', 'build', '__pycache__'))
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet',
                        '--no-deps', '--target', str(site), str(copy)],
                       check=True, capture_output=True, text=True)


def top_az(index: int) -> str:
    """The availability zone users see for pod ``index``."""
    return f'az{index}'


class GatewayProcess:
    """``trio2o-api`` with its own config and database.

    ``extra_conf`` is appended to the generated configuration file (its
    sections must not repeat generated ones: use ``options`` for those);
    ``options`` maps ``section`` -> ``{name: value}`` overrides; ``env``
    adds environment variables (e.g. ``PYTHONPATH`` for extra plugins);
    ``server`` is one of :data:`SERVERS`.
    """

    def __init__(self, cloud: LocalCloud, workdir: Path,
                 options: Mapping[str, Mapping[str, str]] | None = None,
                 env: Mapping[str, str] | None = None,
                 server: str = 'trio2o-api') -> None:
        self.cloud = cloud
        self.workdir = Path(workdir)
        self.options = {section: dict(values)
                        for section, values in (options or {}).items()}
        self.env = dict(env or {})
        self.server = server
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.conf_file = self.workdir / 'trio2o.conf'
        self.process: Process | None = None

    def _config(self) -> dict[str, dict[str, str]]:
        ks = self.cloud.keystone_url
        service = self.cloud.service_user
        sections: dict[str, dict[str, str]] = {
            'DEFAULT': {'state_path': str(self.workdir),
                        'auth_strategy': 'keystone',
                        'enabled_services': 'nova,cinder,glance,admin',
                        'log_file': str(self.workdir / 'trio2o-api.log')},
            'api': {'bind_host': '127.0.0.1', 'bind_port': str(self.port)},
            'pods': {'timeout': '5', 'retry_down_after': '2'},
            'metrics': {'enabled': 'true'},
            # tests settle routing rows themselves, when they choose
            'reconcile': {'interval': '0'},
            'keystone_authtoken': {
                'www_authenticate_uri': ks, 'auth_url': ks,
                'auth_type': 'password', 'username': service.username,
                'password': service.password,
                'project_name': service.project_name,
                'user_domain_id': 'default', 'project_domain_id': 'default',
                'service_token_roles_required': 'true'},
        }
        for section, values in self.options.items():
            sections.setdefault(section, {}).update(values)
        return sections

    def write_config(self) -> None:
        """Write the configuration file from the current options."""
        lines = []
        for section, values in self._config().items():
            lines.append(f'[{section}]')
            lines += [f'{key} = {value}' for key, value in values.items()]
            lines.append('')
        self.conf_file.write_text('\n'.join(lines))

    def manage(self, *args: str) -> str:
        """Run ``trio2o-manage`` with this gateway's configuration and
        return its output.

        :raises subprocess.CalledProcessError: the command failed.
        """
        return subprocess.run(
            [str(BIN / 'trio2o-manage'), '--config-file', str(self.conf_file),
             *args], check=True, capture_output=True, text=True,
            env={**os.environ, **self.env}).stdout

    def start(self, register: bool = True) -> None:
        """Configure, sync the database, register the pods, start the
        server, wait until it answers, and register it in the catalog
        (unless not ``register``: then it is reached by :attr:`url` only,
        and the catalog keeps naming another gateway).

        :raises StartError: the server did not come up (with its log).
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.write_config()
        self.manage('db', 'sync')
        registered = self.manage('pod', 'list')
        for pod in self.cloud.pods:
            if f'"{pod.region}"' not in registered:
                identity = (('--identity', 'k2k', '--service-provider',
                             pod.service_provider)
                            if pod.service_provider else ())
                self.manage('pod', 'create', '--name', pod.region,
                            '--az-name', top_az(pod.index),
                            '--pod-az-name', pod.az, *identity)
        self._run()
        if register:
            self.cloud.register_gateway(self.url)

    def _run(self) -> None:
        self.process = Process(
            self.server, server_command(self.server, self.port,
                                        self.conf_file),
            self.workdir / f'{self.server}.out',
            env={'TRIO2O_CONFIG_FILES': str(self.conf_file), **self.env})
        self.process.wait_ready(http_ok(self.url + '/compute'), timeout=60)

    def restart(self, options: Mapping[str, Mapping[str, str]] | None = None,
                env: Mapping[str, str] | None = None) -> None:
        """Restart the server with more options and environment."""
        self.stop()
        for section, values in (options or {}).items():
            self.options.setdefault(section, {}).update(values)
        self.env.update(env or {})
        self.write_config()
        self._run()

    def stop(self) -> None:
        """Stop the server; idempotent."""
        if self.process is not None:
            self.process.stop()
            self.process = None

    def kill(self) -> None:
        """SIGKILL the server and its workers, as a crash would: no
        cleanup runs. :meth:`restart` starts it again."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.popen.wait(30)
            self.process = None

    def connection(self, user: Credentials,
                   **kwargs: Any) -> openstack.connection.Connection:
        """An openstacksdk Connection for ``user`` through the gateway
        (the catalog's top region)."""
        return openstack.connection.Connection(
            auth_url=self.cloud.keystone_url, username=user.username,
            password=user.password, project_name=user.project_name,
            user_domain_id='default', project_domain_id='default',
            region_name=TOP_REGION, identity_api_version='3', **kwargs)

    def write_clouds_yaml(self, path: Path) -> None:
        """Write clouds.yaml: ``trio2o`` (first ordinary user),
        ``trio2o-alt`` (second), ``trio2o-admin`` through the gateway, and
        ``podN`` straight to each pod as admin."""
        users = self.cloud.users
        self.cloud.write_clouds_yaml(path, {
            'trio2o': self.cloud.cloud_entry(users[0], TOP_REGION),
            'trio2o-alt': self.cloud.cloud_entry(users[1], TOP_REGION),
            'trio2o-admin': self.cloud.cloud_entry(self.cloud.admin,
                                                   TOP_REGION),
        })
