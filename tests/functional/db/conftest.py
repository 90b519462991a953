"""Database fixtures: every test module runs once per backend.

Each module gets a fresh, uniquely named database on SQLite, PostgreSQL
(127.0.0.1:5432, user postgres) and MariaDB/MySQL (127.0.0.1:3306, root),
dropped when the module ends. A server that does not answer skips its
tests with the reason shown at the end of the run; when the environment
variable CI is set it fails them instead, so CI never skips silently.
"""

import os
import uuid
from collections.abc import Iterator
from typing import NoReturn

import psycopg2
import pymysql
import pytest
import sqlalchemy as sa
from psycopg2 import sql

from trio2o_core.conf import CONF
from trio2o_core.db import api
from trio2o_core.db import migration
from trio2o_core.db import models

BACKENDS = ('sqlite', 'postgresql', 'mysql')
PG_ADMIN = {'host': '127.0.0.1', 'port': 5432, 'user': 'postgres',
            'dbname': 'postgres', 'connect_timeout': 5}
MYSQL_ADMIN = {'host': '127.0.0.1', 'port': 3306, 'user': 'root',
               'password': '', 'connect_timeout': 5}

_unreachable: dict[str, str] = {}


def _database_name(module_name: str) -> str:
    short = module_name.rsplit('.', 1)[-1].removeprefix('test_')[:30]
    return f'trio2o_{short}_{uuid.uuid4().hex[:8]}'


def _server_missing(backend: str, error: Exception) -> NoReturn:
    reason = f'{backend} server unreachable: {" ".join(str(error).split())}'
    _unreachable[backend] = reason
    if os.environ.get('CI'):
        pytest.fail(f'{reason} (CI is set: database tests must not skip)')
    pytest.skip(reason)


@pytest.fixture(scope='module', params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the URL of a new empty database, dropped at module end."""
    name = _database_name(request.module.__name__)
    if request.param == 'sqlite':
        yield f'sqlite:///{tmp_path_factory.mktemp(name)}/{name}.sqlite'
    elif request.param == 'postgresql':
        yield from _postgresql_database(name)
    else:
        yield from _mysql_database(name)


def _postgresql_database(name: str) -> Iterator[str]:
    try:
        admin = psycopg2.connect(**PG_ADMIN)
    except psycopg2.OperationalError as error:
        _server_missing('postgresql', error)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL('CREATE DATABASE {}').format(
                sql.Identifier(name)))
        yield (f'postgresql+psycopg2://{PG_ADMIN["user"]}@'
               f'{PG_ADMIN["host"]}:{PG_ADMIN["port"]}/{name}')
        api.reset_engine()
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)')
                           .format(sql.Identifier(name)))
    finally:
        admin.close()


def _mysql_database(name: str) -> Iterator[str]:
    try:
        admin = pymysql.connect(**MYSQL_ADMIN, autocommit=True)
    except pymysql.err.OperationalError as error:
        _server_missing('mysql', error)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE `{name}` CHARACTER SET utf8mb4')
        yield (f'mysql+pymysql://{MYSQL_ADMIN["user"]}@'
               f'{MYSQL_ADMIN["host"]}:{MYSQL_ADMIN["port"]}/{name}'
               '?charset=utf8mb4')
        api.reset_engine()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS `{name}`')
    finally:
        admin.close()


@pytest.fixture(scope='module')
def configured(database_url: str) -> Iterator[str]:
    """Point ``[database] connection`` at the module's empty database."""
    CONF.set_override('connection', database_url, group='database')
    api.reset_engine()
    yield database_url
    api.reset_engine()
    CONF.clear_override('connection', group='database')


@pytest.fixture(scope='module')
def migrated(configured: str) -> str:
    """The module's database, migrated to the head revision."""
    migration.upgrade()
    return configured


@pytest.fixture
def db(migrated: str) -> Iterator[str]:
    """A migrated database, emptied after the test."""
    yield migrated
    with api.get_engine().begin() as connection:
        for table in reversed(models.Base.metadata.sorted_tables):
            connection.execute(table.delete())


def backend_id(connection: sa.Connection) -> object:
    """The server session id of a PostgreSQL or MariaDB connection."""
    return connection.exec_driver_sql(
        'SELECT pg_backend_pid()' if connection.dialect.name == 'postgresql'
        else 'SELECT CONNECTION_ID()').scalar()


@pytest.fixture
def killed_session(db: str) -> object:
    """Kill, from another connection, the server session of the pool's
    connection (the only one: no test holds two); return its id. SQLite
    connections are files, not sessions: its tests skip."""
    if db.startswith('sqlite'):
        pytest.skip('SQLite connections are files, not sessions')
    with api.get_engine().connect() as connection:
        killed = backend_id(connection)
    admin = sa.create_engine(db, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f'SELECT pg_terminate_backend({killed})'
            if connection.dialect.name == 'postgresql' else f'KILL {killed}')
    admin.dispose()
    return killed


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter
                            ) -> None:
    for reason in _unreachable.values():
        terminalreporter.write_line(f'SKIPPED database backend: {reason}',
                                    yellow=True)
