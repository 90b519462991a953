"""The process's database engine and transactions.

The engine is built on first use from ``[database] connection``; every
gateway process (worker) has its own engine and pool.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from trio2o_core.conf import CONF
from trio2o_core.db import exceptions
from trio2o_core.db import translation
from trio2o_core.db.compiled import CompiledRead

SQLITE_BUSY_TIMEOUT_MS = 30000
#: seconds a pooled server connection may sit idle and still be used
#: without a ping first
PING_AFTER_IDLE = 1.0

_lock = threading.Lock()
_current: tuple[sa.Engine, orm.sessionmaker[orm.Session]] | None = None


def connection_url() -> str:
    """Return ``[database] connection``, or the embedded SQLite default.

    The default is ``sqlite:///<state_path>/trio2o.sqlite``; its directory
    is created when missing.
    """
    if CONF.database.connection:
        return str(CONF.database.connection)
    os.makedirs(CONF.state_path, exist_ok=True)
    return 'sqlite:///' + os.path.join(CONF.state_path, 'trio2o.sqlite')


def get_engine() -> sa.Engine:
    """Return the process-wide engine, creating it on first call.

    SQLite connections get foreign keys on, WAL journaling and a busy
    timeout; server connections idle for :data:`PING_AFTER_IDLE`
    seconds or more are pinged before use (and replaced when dead), and
    every one is recycled after ``[database] pool_recycle`` seconds.

    :raises trio2o_core.db.exceptions.DBError: the URL is malformed or
        names a driver that is not installed.
    """
    return _ensure()[0]


def reset_engine() -> None:
    """Dispose of the engine so the next use builds one from the config."""
    global _current
    with _lock:
        if _current is not None:
            _current[0].dispose()
        _current = None


@contextlib.contextmanager
def session_scope() -> Iterator[orm.Session]:
    """Yield a session inside one transaction.

    The transaction commits when the block ends and rolls back when it
    raises, so nothing is half-written.

    :raises trio2o_core.db.exceptions.DBError: (a subclass where one fits)
        for any database failure, including one at commit.
    """
    with _translated(), _ensure()[1]() as session, session.begin():
        yield session


@contextlib.contextmanager
def read_scope() -> Iterator[sa.Connection]:
    """Yield a connection for reads in SQLAlchemy Core, without the ORM
    session's cost; its transaction ends (rolled back) with the block.

    :raises trio2o_core.db.exceptions.DBError: as :func:`session_scope`.
    """
    with _translated(), _ensure()[0].connect() as connection:
        yield connection


@contextlib.contextmanager
def write_scope() -> Iterator[sa.Connection]:
    """Yield a connection in SQLAlchemy Core inside one transaction,
    committed when the block ends and rolled back when it raises (the
    ORM session's guarantee without its cost per statement).

    :raises trio2o_core.db.exceptions.DBError: as :func:`session_scope`.
    """
    with _translated(), _ensure()[0].begin() as connection:
        yield connection


class PreparedRead:
    """A Core ``SELECT`` for the per-request reads: compiled once per
    engine and run straight on a pooled DBAPI connection, without the
    statement, context and result objects a Core execution builds each
    time (two thirds of a one-row lookup's cost).

    Its bind parameters are named (``sa.bindparam``; a list for an
    expanding one) and all given at each call; its rows are dicts keyed
    by the selected columns' keys, with the values Core would give (the
    columns' result types applied). The connection's transaction ends
    (rolled back) with the call.
    """

    def __init__(self, statement: sa.Select) -> None:
        self.statement = statement
        self._prepared: CompiledRead | None = None

    def rows(self, **params: Any) -> list[dict[str, Any]]:
        """Return every row the statement selects with ``params``.

        :raises trio2o_core.db.exceptions.InvalidValue: a parameter its
            column's type cannot take.
        :raises trio2o_core.db.exceptions.DBError: as
            :func:`session_scope`.
        """
        return self.records(self.fetch(**params))

    def fetch(self, **params: Any) -> list[Any]:
        """Return the DBAPI's rows (tuples of unconverted values) the
        statement selects with ``params``; :meth:`records` makes the
        rows of :meth:`rows` of them.

        :raises trio2o_core.db.exceptions.InvalidValue,
            trio2o_core.db.exceptions.DBError: as :meth:`rows`.
        """
        prepared = self._prepare()
        engine = prepared.engine
        dialect = engine.dialect
        dbapi_error = dialect.loaded_dbapi.Error
        with _translated():
            sql, args = prepared.bound(params)
            try:
                connection = engine.raw_connection()
            except dbapi_error as error:
                # not reached: as Core reports a failed connect
                raise sa_exc.DBAPIError.instance(
                    None, None, error, dbapi_error,
                    connection_invalidated=dialect.is_disconnect(
                        error, None, None),
                    dialect=dialect) from error
            cursor = None
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, args)
                    found: list[Any] = cursor.fetchall()
                finally:
                    cursor.close()
            except dbapi_error as error:
                lost = dialect.is_disconnect(
                    error, connection.dbapi_connection, cursor)
                if lost:
                    connection.invalidate(error)
                raise sa_exc.DBAPIError.instance(
                    sql, args, error, dbapi_error,
                    connection_invalidated=lost, dialect=dialect) from error
            finally:
                connection.close()
        return found

    def records(self, found: list[Any]) -> list[dict[str, Any]]:
        """Return the rows of :meth:`rows` made of :meth:`fetch`'s."""
        prepared = self._prepare()
        keys, converted = prepared.keys, prepared.converted
        records = [dict(zip(keys, row, strict=True)) for row in found]
        for index, key, process in converted:
            for record, row in zip(records, found, strict=True):
                record[key] = process(row[index])
        return records

    def first(self, **params: Any) -> dict[str, Any] | None:
        """Return the first row selected with ``params``, or None.

        :raises trio2o_core.db.exceptions.DBError: as
            :func:`session_scope`.
        """
        found = self.rows(**params)
        return found[0] if found else None

    def _prepare(self) -> CompiledRead:
        engine = _ensure()[0]
        prepared = self._prepared
        if prepared is None or prepared.engine is not engine:
            dialect = engine.dialect
            compiled = self.statement.compile(dialect=dialect)
            columns = list(self.statement.selected_columns)
            binds = {}
            for name, bind in compiled.binds.items():
                process = bind.type.dialect_impl(dialect).bind_processor(
                    dialect)
                if process is not None:
                    binds[name] = process
            prepared = CompiledRead(
                engine, compiled, [column.key for column in columns],
                [column.type.dialect_impl(dialect).result_processor(
                    dialect, None) for column in columns], binds,
                any(bind.expanding for bind in compiled.binds.values()))
            self._prepared = prepared
        return prepared


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sa_exc.DBAPIError as error:
        raise translation.translate(error) from error
    except sa_exc.TimeoutError as error:
        raise exceptions.TransientError(str(error)) from error
    except sa_exc.SQLAlchemyError as error:
        raise exceptions.DBError(str(error)) from error


def _ensure() -> tuple[sa.Engine, orm.sessionmaker[orm.Session]]:
    global _current
    with _lock:
        if _current is None:
            try:
                engine = _create_engine(connection_url())
            except (sa_exc.ArgumentError, ImportError) as error:
                raise exceptions.DBError(
                    f'Unusable [database] connection: {error}') from error
            _current = engine, orm.sessionmaker(engine, expire_on_commit=False)
        return _current


def _create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == 'sqlite':
        engine = sa.create_engine(parsed)
        event.listen(engine, 'connect', _configure_sqlite)
        return engine
    # last in, first out: a quiet process reuses its freshest connection
    # (no ping) and lets the others idle
    engine = sa.create_engine(parsed,
                              pool_size=CONF.database.pool_size,
                              pool_recycle=CONF.database.pool_recycle,
                              pool_use_lifo=True)
    event.listen(engine, 'checkin', _note_checkin)
    event.listen(engine, 'checkout', functools.partial(_ping_if_idle,
                                                       engine.dialect))
    return engine


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info['checked_in'] = time.monotonic()


def _ping_if_idle(dialect: Any, dbapi_connection: Any, record: Any,
                  proxy: Any) -> None:
    """Ping a pooled connection that sat idle for
    :data:`PING_AFTER_IDLE` seconds or more before it is used (a
    connection used again at once is not: a busy worker would pay a
    round trip per transaction). A dead one is replaced.

    :raises sqlalchemy.exc.DisconnectionError: the ping failed (the pool
        then checks out another connection).
    """
    checked_in = record.info.get('checked_in')
    if checked_in is None or (
            time.monotonic() - checked_in < PING_AFTER_IDLE):
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as error:  # noqa: BLE001 - any failure: reconnect
        raise sa_exc.DisconnectionError(str(error)) from error


def _configure_sqlite(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute('PRAGMA foreign_keys = ON')
        cursor.execute(f'PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}')
        cursor.execute('PRAGMA journal_mode = WAL')
    finally:
        cursor.close()
