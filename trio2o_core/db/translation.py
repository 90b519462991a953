"""Translation of driver errors into :mod:`trio2o_core.db.exceptions`.

SQLite (sqlite3), PostgreSQL (psycopg2) and MySQL/MariaDB (PyMySQL) each
report a broken constraint differently: SQLite names the columns, PostgreSQL
the constraint (and the columns in its DETAIL line), MySQL the key name.
Constraint names come from the models' naming convention, so a name is
mapped back to its columns through the metadata.
"""

import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from trio2o_core.db import exceptions
from trio2o_core.db import models

_PG_UNIQUE = '23505'
_PG_FOREIGN_KEY = '23503'
_PG_NOT_NULL = '23502'
_PG_CHECK = '23514'
_PG_TRANSIENT = {'40001', '40P01', '55P03'}

_MYSQL_DUPLICATE = 1062
_MYSQL_FOREIGN_KEY = {1216, 1217, 1451, 1452}
_MYSQL_NOT_NULL = {1048, 1364}
_MYSQL_CHECK = {3819, 4025}
_MYSQL_TOO_LONG = 1406
_MYSQL_TRANSIENT = {1205, 1213}
_MYSQL_CONNECTION = {1047, 2002, 2003, 2006, 2013}

_PG_KEY = re.compile(r'Key \((?P<columns>[^)]*)\)=')
_MYSQL_KEY = re.compile(r"for key '(?:[^'.]*\.)?(?P<name>[^']*)'")
_MYSQL_FK_COLUMNS = re.compile(r'FOREIGN KEY \((?P<columns>[^)]*)\)')
_MYSQL_COLUMN = re.compile(r"[Cc]olumn '(?P<column>[^']*)'")
_MYSQL_CONSTRAINT = re.compile(r'CONSTRAINT `(?P<name>[^`]*)`')
_SQLITE_CONSTRAINT = re.compile(
    r'(?P<kind>UNIQUE|NOT NULL|CHECK) constraint failed: (?P<what>.*)')


def translate(error: sa_exc.DBAPIError) -> exceptions.DBError:
    """Return the :class:`~trio2o_core.db.exceptions.DBError` for ``error``.

    Unique violations become ``Duplicate`` naming the columns, foreign key
    violations ``InvalidReference``, NOT NULL/CHECK/length violations
    ``InvalidValue``, deadlocks and lock timeouts ``TransientError``, lost
    or refused connections ``DBConnectionError``; anything else ``DBError``.
    """
    orig = error.orig
    if error.connection_invalidated:
        return exceptions.DBConnectionError(str(orig))
    if hasattr(orig, 'pgcode'):
        translated = _postgresql(error)
    elif type(orig).__module__.startswith('pymysql'):
        translated = _mysql(error)
    elif type(orig).__module__.startswith('sqlite3'):
        translated = _sqlite(error)
    else:
        translated = None
    return translated or exceptions.DBError(str(orig))


def _postgresql(error: sa_exc.DBAPIError) -> exceptions.DBError | None:
    orig = error.orig
    code = getattr(orig, 'pgcode', None)
    diag = getattr(orig, 'diag', None)
    constraint = getattr(diag, 'constraint_name', None)
    table = getattr(diag, 'table_name', None)
    key = _PG_KEY.search(str(orig))
    key_columns = _split(key.group('columns')) if key else ()
    if code == _PG_UNIQUE:
        return _duplicate(constraint, table, key_columns)
    if code == _PG_FOREIGN_KEY:
        return exceptions.InvalidReference(key_columns, table)
    if code == _PG_NOT_NULL:
        return exceptions.InvalidValue(
            getattr(diag, 'column_name', None) or '?', 'must not be null')
    if code == _PG_CHECK:
        return exceptions.InvalidValue(
            constraint or '?', 'violates a check constraint')
    if code is not None and code.startswith('22'):
        return exceptions.InvalidValue(
            getattr(diag, 'column_name', None) or '?',
            'not valid for its column')
    if code in _PG_TRANSIENT:
        return exceptions.TransientError(str(orig))
    if code is None and isinstance(error, sa_exc.OperationalError):
        return exceptions.DBConnectionError(str(orig))
    return None


def _mysql(error: sa_exc.DBAPIError) -> exceptions.DBError | None:
    args: tuple[Any, ...] = getattr(error.orig, 'args', ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(error.orig)
    if code == _MYSQL_DUPLICATE:
        key = _MYSQL_KEY.search(message)
        name = key.group('name') if key else None
        if name == 'PRIMARY':
            return exceptions.Duplicate(('id',))
        return _duplicate(name, None, ())
    if code in _MYSQL_FOREIGN_KEY:
        columns = _MYSQL_FK_COLUMNS.search(message)
        return exceptions.InvalidReference(
            _split(columns.group('columns')) if columns else ())
    if code in _MYSQL_NOT_NULL or code == _MYSQL_TOO_LONG:
        column = _MYSQL_COLUMN.search(message)
        reason = ('must not be null' if code in _MYSQL_NOT_NULL
                  else 'too long')
        return exceptions.InvalidValue(
            column.group('column') if column else '?', reason)
    if code in _MYSQL_CHECK:
        constraint = _MYSQL_CONSTRAINT.search(message)
        return exceptions.InvalidValue(
            constraint.group('name') if constraint else '?',
            'violates a check constraint')
    if code in _MYSQL_TRANSIENT:
        return exceptions.TransientError(message)
    if code in _MYSQL_CONNECTION:
        return exceptions.DBConnectionError(message)
    return None


def _sqlite(error: sa_exc.DBAPIError) -> exceptions.DBError | None:
    message = str(error.orig)
    if message.startswith('FOREIGN KEY constraint failed'):
        return exceptions.InvalidReference()
    failed = _SQLITE_CONSTRAINT.match(message)
    if failed:
        kind, what = failed.group('kind'), failed.group('what')
        if kind == 'UNIQUE':
            qualified = _split(what)
            table = qualified[0].split('.')[0] if qualified else None
            columns = tuple(c.split('.')[-1] for c in qualified)
            return _duplicate(None, table, columns)
        if kind == 'NOT NULL':
            return exceptions.InvalidValue(what.split('.')[-1],
                                           'must not be null')
        return exceptions.InvalidValue(what, 'violates a check constraint')
    if 'database is locked' in message:
        return exceptions.TransientError(message)
    if 'unable to open database' in message:
        return exceptions.DBConnectionError(message)
    return None


def _duplicate(name: str | None, table: str | None,
               columns: tuple[str, ...]) -> exceptions.Duplicate:
    """Build ``Duplicate`` from a constraint name or a table and columns."""
    for constraint_table, constraint in _unique_keys():
        if (constraint.name == name
                or (constraint_table.name == table
                    and tuple(c.name for c in constraint.columns) == columns)):
            reported = constraint.info.get(
                'reported_columns',
                tuple(c.name for c in constraint.columns))
            return exceptions.Duplicate(reported, constraint_table.name)
    return exceptions.Duplicate(columns, table)


def _unique_keys() -> Iterator[
        tuple[sa.Table, sa.UniqueConstraint | sa.PrimaryKeyConstraint
              | sa.Index]]:
    for table in models.Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, (sa.UniqueConstraint,
                                       sa.PrimaryKeyConstraint)):
                yield table, constraint
        for index in table.indexes:
            if index.unique:
                yield table, index


def _split(columns: str) -> tuple[str, ...]:
    return tuple(c.strip().strip('`"') for c in columns.split(',')
                 if c.strip())
