"""Schema migrations of the gateway database (alembic).

The alembic configuration is built here: there is no alembic.ini to find.
Migrations apply to the database of ``[database] connection``.
"""

import os

from alembic import command
from alembic import config
from alembic import script
from alembic import util as alembic_util
from alembic.runtime import migration
from sqlalchemy import exc as sa_exc

from trio2o_core.db import engine
from trio2o_core.db import exceptions
from trio2o_core.db import translation

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), 'migrations')
VERSION_TABLE = 'alembic_version'
"""The table alembic keeps the schema revision in; not part of the models."""


def upgrade(revision: str = 'head') -> None:
    """Bring the database schema up to ``revision`` (from empty if need be).

    :raises trio2o_core.db.exceptions.DBError: the revision is unknown or
        the database refused a step.
    """
    try:
        with engine.get_engine().begin() as connection:
            alembic_config = _config()
            alembic_config.attributes['connection'] = connection
            command.upgrade(alembic_config, revision)
    except alembic_util.CommandError as error:
        raise exceptions.DBError(str(error)) from error
    except sa_exc.DBAPIError as error:
        raise translation.translate(error) from error


def current_version() -> str | None:
    """Return the database's schema revision, or None if never migrated.

    :raises trio2o_core.db.exceptions.DBError: the database is unusable.
    """
    try:
        with engine.get_engine().connect() as connection:
            context = migration.MigrationContext.configure(connection)
            return context.get_current_revision()
    except sa_exc.DBAPIError as error:
        raise translation.translate(error) from error


def head_version() -> str:
    """Return the newest schema revision this code knows.

    :raises trio2o_core.db.exceptions.DBError: the migrations are missing.
    """
    head = script.ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise exceptions.DBError(f'No migrations in {MIGRATIONS_DIR}.')
    return head


def _config() -> config.Config:
    alembic_config = config.Config()
    alembic_config.set_main_option('script_location', MIGRATIONS_DIR)
    return alembic_config
