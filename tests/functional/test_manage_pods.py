"""``trio2o-manage pod``: weights, draining, what a pod holds, and
``delete --force`` with its confirmation, run as the console script an
operator uses on a private SQLite database (the rows a pod holds are
written through the database API, as the gateway writes them)."""

from __future__ import annotations

import pathlib
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.test_admin_api import BIN
from tests.functional.test_admin_api import config_file  # noqa: F401
from tests.functional.test_admin_api import configured
from tests.functional.test_admin_api import manage
from tests.functional.test_admin_api import manage_json
from trio2o_core.db import api as db


@pytest.fixture
def synced(config_file: pathlib.Path) -> Iterator[pathlib.Path]:  # noqa: F811
    """The configuration, its database migrated and open in this process
    too."""
    assert manage(config_file, 'db', 'sync').returncode == 0
    url = f'sqlite:///{config_file.parent / "gateway.sqlite"}'
    with configured([('connection', url, 'database')]):
        yield config_file


def test_manage_weighs_drains_and_shows_what_a_pod_holds(synced):
    pod = manage_json(synced, 'pod', 'create', '--name', 'Pod1',
                      '--az-name', 'az1', '--weight', '3')
    assert (pod['weight'], pod['draining']) == (3, False)
    db.create_routing('s1', 'server', pod['id'], 'p1', status='active')
    db.create_routing('s2', 'server', pod['id'], 'p1', status='active')
    db.create_routing('v1', 'volume', pod['id'], 'p1', status='creating')
    db.create_routing('v2', 'volume', pod['id'], 'p2', status='active')
    db.create_routing('gone', 'volume', pod['id'], 'p2', status='deleted')

    drained = manage_json(synced, 'pod', 'drain', 'Pod1')
    assert drained['draining'] is True
    shown = manage_json(synced, 'pod', 'show', 'Pod1')
    assert shown['holdings'] == {'p1': {'server': 2, 'volume': 1},
                                 'p2': {'volume': 1}}
    assert manage_json(synced, 'pod', 'undrain', pod['id'])[
        'draining'] is False
    assert manage_json(synced, 'pod', 'update', 'Pod1', '--weight',
                       '0')['weight'] == 0

    bad = manage(synced, 'pod', 'update', 'Pod1', '--weight', '-2')
    assert bad.returncode == 2
    assert "not a weight (an integer, 0 or more): '-2'" in bad.stderr


@pytest.fixture
def held_pod(synced: pathlib.Path) -> dict[str, Any]:
    """Pod1, holding two live routings and a deleted one."""
    pod = manage_json(synced, 'pod', 'create', '--name', 'Pod1',
                      '--az-name', 'az1')
    db.create_routing('s1', 'server', pod['id'], 'p1', status='active')
    db.create_routing('v1', 'volume', pod['id'], 'p1', status='active')
    db.create_routing('gone', 'volume', pod['id'], 'p2', status='deleted')
    return pod


def _delete(synced: pathlib.Path, *args: str, answer: str = ''
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / 'trio2o-manage'), '--config-file', str(synced),
         'pod', 'delete', 'Pod1', *args], input=answer,
        capture_output=True, text=True, timeout=120)


def test_manage_delete_refuses_a_pod_holding_resources(synced,
                                                       held_pod):
    refused = _delete(synced)

    assert refused.returncode == 1
    assert refused.stderr == (
        'trio2o-manage: pod Pod1 still holds 2 routed resources: delete '
        'them first, or remove their routings with --force\n')
    assert len(db.list_routings(pod_id=held_pod['id'])) == 3


@pytest.mark.parametrize('answer', ['', 'n\n', 'maybe\n'])
def test_manage_force_delete_asks_first(synced, held_pod, answer):
    kept = _delete(synced, '--force', answer=answer)

    assert kept.returncode == 1
    assert 'Pod Pod1 still holds 2 routed resources' in kept.stderr
    assert 'Delete pod Pod1 and its routings? [y/N]' in kept.stdout
    assert kept.stderr.endswith('trio2o-manage: nothing deleted\n')
    assert len(db.list_routings(pod_id=held_pod['id'])) == 3


@pytest.mark.parametrize('args, answer', [(('--force',), 'y\n'),
                                          (('--force', '--yes'), '')])
def test_manage_force_delete_removes_the_rows(synced, held_pod, args,
                                              answer):
    done = _delete(synced, *args, answer=answer)

    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith('deleted pod Pod1 and 3 routings\n')
    assert db.list_routings() == []
    assert manage_json(synced, 'pod', 'list') == []


