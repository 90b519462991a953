"""The engine: default SQLite file, SQLite settings, configured URLs."""

import pathlib

import pytest
import sqlalchemy as sa

from trio2o_core.conf import CONF
from trio2o_core.db import api
from trio2o_core.db import engine
from trio2o_core.db import exceptions


def test_default_is_sqlite_under_state_path(state_path: pathlib.Path
                                            ) -> None:
    assert not state_path.exists()
    url = engine.connection_url()
    assert url == f'sqlite:///{state_path}/trio2o.sqlite'
    assert state_path.is_dir()


def test_configured_connection_wins(state_path: pathlib.Path) -> None:
    CONF.set_override('connection', 'postgresql+psycopg2://u@h/db',
                      group='database')
    assert engine.connection_url() == 'postgresql+psycopg2://u@h/db'
    assert not state_path.exists()


def test_sqlite_connections_are_configured(state_path: pathlib.Path
                                           ) -> None:
    with api.get_engine().connect() as connection:
        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f'PRAGMA {name}').scalar()

        assert pragma('foreign_keys') == 1
        assert pragma('journal_mode') == 'wal'
        assert pragma('busy_timeout') == engine.SQLITE_BUSY_TIMEOUT_MS


def test_engine_is_shared_until_reset(state_path: pathlib.Path) -> None:
    first = api.get_engine()
    assert api.get_engine() is first
    api.reset_engine()
    assert api.get_engine() is not first


@pytest.mark.parametrize('url', ['not a url', 'nosuchdb://host/db'])
def test_unusable_connection_is_a_db_error(state_path: pathlib.Path,
                                           url: str) -> None:
    CONF.set_override('connection', url, group='database')
    with pytest.raises(exceptions.DBError):
        api.get_engine()
    with pytest.raises(exceptions.DBError):
        with api.session_scope():
            pass


def test_session_scope_commits(state_path: pathlib.Path) -> None:
    with api.session_scope() as session:
        session.execute(sa.text('CREATE TABLE t (x INTEGER)'))
        session.execute(sa.text('INSERT INTO t VALUES (1)'))
    with api.session_scope() as session:
        assert session.execute(sa.text('SELECT x FROM t')).scalar() == 1
