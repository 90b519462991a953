"""Driver errors of each backend become the database layer's errors."""

import sqlite3
import types

import pymysql
import pytest
from sqlalchemy import exc as sa_exc

from trio2o_core.db import exceptions
from trio2o_core.db import translation


class FakePostgresError(Exception):
    """Looks like a psycopg2 error: ``pgcode`` and ``diag``."""

    def __init__(self, message: str, pgcode: str | None,
                 **diag: str) -> None:
        super().__init__(message)
        self.pgcode = pgcode
        self.diag = types.SimpleNamespace(
            **{'constraint_name': None, 'table_name': None,
               'column_name': None, **diag})


def _translate(orig: Exception,
               kind: type[sa_exc.DBAPIError] = sa_exc.IntegrityError
               ) -> exceptions.DBError:
    return translation.translate(kind('INSERT ...', {}, orig))


@pytest.mark.parametrize('orig, columns, table', [
    (sqlite3.IntegrityError('UNIQUE constraint failed: pods.name'),
     ('name',), 'pods'),
    (sqlite3.IntegrityError(
        'UNIQUE constraint failed: pod_bindings.project_id, '
        'pod_bindings.az_name, pod_bindings.active_key'),
     ('project_id', 'az_name'), 'pod_bindings'),
    (FakePostgresError(
        'duplicate key value violates unique constraint '
        '"uq_resource_routings_top_id_resource_type"\nDETAIL:  Key '
        '(top_id, resource_type)=(a, server) already exists.', '23505',
        constraint_name='uq_resource_routings_top_id_resource_type',
        table_name='resource_routings'),
     ('top_id', 'resource_type'), 'resource_routings'),
    (FakePostgresError(
        'duplicate key value violates unique constraint '
        '"uq_pod_bindings_project_id_az_name_active_key"', '23505',
        constraint_name='uq_pod_bindings_project_id_az_name_active_key'),
     ('project_id', 'az_name'), 'pod_bindings'),
    (pymysql.err.IntegrityError(
        1062, "Duplicate entry 'Pod1' for key 'uq_pods_name'"),
     ('name',), 'pods'),
    (pymysql.err.IntegrityError(
        1062, "Duplicate entry 'p-a-1' for key "
              "'pod_bindings.uq_pod_bindings_project_id_az_name_active_key'"),
     ('project_id', 'az_name'), 'pod_bindings'),
    (pymysql.err.IntegrityError(
        1062, "Duplicate entry 'x' for key 'PRIMARY'"), ('id',), None),
])
def test_unique_violation_names_columns(
        orig: Exception, columns: tuple[str, ...], table: str | None
) -> None:
    error = _translate(orig)
    assert isinstance(error, exceptions.Duplicate)
    assert (error.columns, error.table) == (columns, table)


@pytest.mark.parametrize('orig, columns', [
    (sqlite3.IntegrityError('FOREIGN KEY constraint failed'), ()),
    (FakePostgresError(
        'insert or update on table "pod_bindings" violates foreign key '
        'constraint "fk_pod_bindings_pod_id_pods"\nDETAIL:  Key '
        '(pod_id)=(x) is not present in table "pods".', '23503'),
     ('pod_id',)),
    (pymysql.err.IntegrityError(
        1452, 'Cannot add or update a child row: a foreign key constraint '
              'fails (`db`.`pod_bindings`, CONSTRAINT '
              '`fk_pod_bindings_pod_id_pods` FOREIGN KEY (`pod_id`) '
              'REFERENCES `pods` (`id`) ON DELETE CASCADE)'),
     ('pod_id',)),
])
def test_foreign_key_violation(orig: Exception,
                               columns: tuple[str, ...]) -> None:
    error = _translate(orig)
    assert isinstance(error, exceptions.InvalidReference)
    assert error.columns == columns


@pytest.mark.parametrize('orig, field', [
    (sqlite3.IntegrityError('NOT NULL constraint failed: pods.name'),
     'name'),
    (sqlite3.IntegrityError(
        'CHECK constraint failed: ck_resource_routings_status'),
     'ck_resource_routings_status'),
    (FakePostgresError('null value in column "name"', '23502',
                       column_name='name'), 'name'),
    (FakePostgresError('new row violates check constraint', '23514',
                       constraint_name='ck_resource_routings_status'),
     'ck_resource_routings_status'),
    (pymysql.err.IntegrityError(1048, "Column 'name' cannot be null"),
     'name'),
    (pymysql.err.OperationalError(
        4025, 'CONSTRAINT `ck_resource_routings_status` failed for '
              '`db`.`resource_routings`'), 'ck_resource_routings_status'),
    (pymysql.err.DataError(1406, "Data too long for column 'name' at row 1"),
     'name'),
])
def test_invalid_value_names_field(orig: Exception, field: str) -> None:
    error = _translate(orig)
    assert isinstance(error, exceptions.InvalidValue)
    assert error.field == field


@pytest.mark.parametrize('orig, expected', [
    (sqlite3.OperationalError('database is locked'),
     exceptions.TransientError),
    (sqlite3.OperationalError('unable to open database file'),
     exceptions.DBConnectionError),
    (sqlite3.OperationalError('no such table: pods'), exceptions.DBError),
    (FakePostgresError('deadlock detected', '40P01'),
     exceptions.TransientError),
    (FakePostgresError('connection refused', None),
     exceptions.DBConnectionError),
    (pymysql.err.OperationalError(1213, 'Deadlock found'),
     exceptions.TransientError),
    (pymysql.err.OperationalError(2003, "Can't connect"),
     exceptions.DBConnectionError),
    (ValueError('some other driver'), exceptions.DBError),
])
def test_operational_errors(orig: Exception,
                            expected: type[exceptions.DBError]) -> None:
    error = _translate(orig, sa_exc.OperationalError)
    assert type(error) is expected


def test_invalidated_connection() -> None:
    error = sa_exc.OperationalError('SELECT 1', {}, ValueError('gone'),
                                    connection_invalidated=True)
    assert isinstance(translation.translate(error),
                      exceptions.DBConnectionError)
