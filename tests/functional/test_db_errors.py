"""Database failures reach clients only as a generic message.

The pipeline runs on a PostgreSQL URL whose server refuses connections;
the driver's error names the host, port and user. Unauthenticated version
documents (which read the pods) and authenticated calls must answer
without any of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from paste import deploy

from tests.functional.test_admin_api import PASTE
from tests.functional.test_admin_api import configured
from tests.functional.test_fuzz import call
from tests.functional.test_fuzz import closed_port
from trio2o_core.api import faults

USER = 'secret_db_user'
SECRETS = (USER, 'hunter2', 'trio2o_private_db', 'psycopg2',
           'OperationalError', 'connection to server', 'Traceback')


@pytest.fixture(scope='module')
def app() -> Iterator[Any]:
    """The paste app of every service on a database nobody serves."""
    url = (f'postgresql+psycopg2://{USER}:hunter2@127.0.0.1:{closed_port()}'
           '/trio2o_private_db')
    overrides = [('auth_strategy', 'noauth', None),
                 ('enabled_services', ['nova', 'cinder', 'glance', 'admin'],
                  None),
                 ('connection', url, 'database')]
    with configured(overrides):
        yield deploy.loadapp(f'config:{PASTE}', name='trio2o')


@pytest.mark.parametrize('path, identity', [
    ('/compute/', {}),
    ('/compute/v2.1', {}),
    ('/image/v2/images', {'X-Auth-Token': 'alice:project-a'}),
    ('/compute/v2.1/servers', {'X-Auth-Token': 'alice:project-a'}),
    ('/admin/v1/pods', {'X-Auth-Token': 'op:admin', 'X-Roles': 'admin'}),
])
def test_unreachable_database_is_a_generic_503(app, path, identity):
    response = call(app, 'GET', path, '', identity, None)

    assert response.status_int == 503, response.text
    assert faults.DB_UNAVAILABLE in response.text
    for secret in SECRETS:
        assert secret not in response.text
