"""Migration entry points on the embedded SQLite default."""

import pathlib

import pytest
import sqlalchemy as sa

from trio2o_core.db import api
from trio2o_core.db import exceptions
from trio2o_core.db import migration


def test_head_is_known_without_a_database() -> None:
    assert migration.head_version() == '0005'


def test_upgrade_default_database(state_path: pathlib.Path) -> None:
    assert migration.current_version() is None
    migration.upgrade()
    assert (state_path / 'trio2o.sqlite').is_file()
    assert migration.current_version() == migration.head_version()
    assert set(sa.inspect(api.get_engine()).get_table_names()) == {
        migration.VERSION_TABLE, 'pods', 'pod_bindings', 'resource_routings'}


def test_unknown_revision_is_a_db_error(state_path: pathlib.Path) -> None:
    with pytest.raises(exceptions.DBError):
        migration.upgrade('no-such-revision')
