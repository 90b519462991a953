"""SQLAlchemy models of the gateway database.

Timestamps are stored as naive UTC (``DATETIME`` / ``TIMESTAMP WITHOUT TIME
ZONE``) and read back as timezone-aware UTC datetimes, the same on SQLite,
PostgreSQL and MySQL/MariaDB.

One active binding per (project, AZ): MariaDB and MySQL have no partial
indexes, so ``pod_bindings`` carries ``active_key``, which is ``TRUE`` while
the binding is active and ``NULL`` otherwise, and a unique constraint on
``(project_id, az_name, active_key)``. All three backends treat NULLs as
distinct in a unique constraint, so any number of inactive bindings may
exist while a second active one is refused by the database. A check
constraint keeps ``active_key`` in step with ``is_active``.
"""

import datetime
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

ID_LENGTH = 36
NAME_LENGTH = 255
PROJECT_ID_LENGTH = 64
RESOURCE_TYPE_LENGTH = 64
STATUS_LENGTH = 16

NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

MYSQL_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def utcnow() -> datetime.datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.datetime.now(datetime.UTC)


def new_uuid() -> str:
    """Return a new random UUID in its canonical string form."""
    return str(uuid.uuid4())


class UTCDateTime(sa.TypeDecorator[datetime.datetime]):
    """A datetime stored as naive UTC and returned as aware UTC.

    Naive datetimes given to it are taken to be UTC already. MySQL keeps
    microseconds too (``DATETIME(6)``), as the other backends do.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ('mysql', 'mariadb'):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime.datetime | None,
                           dialect: Dialect) -> datetime.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime.datetime | None,
                             dialect: Dialect) -> datetime.datetime | None:
        if value is not None:
            value = value.replace(tzinfo=datetime.UTC)
        return value


class RoutingStatus(enum.StrEnum):
    """Life cycle of a routing row (DESIGN.md §4)."""

    CREATING = 'creating'
    ACTIVE = 'active'
    DELETING = 'deleting'
    #: the resource is gone from its pod; the row is kept for the calls
    #: served on deleted resources until it is pruned
    DELETED = 'deleted'


class PodIdentity(enum.StrEnum):
    """How the gateway authenticates a caller to a pod."""

    #: the pod trusts the gateway's Keystone: the caller's token is sent
    SHARED = 'shared'
    #: the pod has its own Keystone, a service provider of the gateway's
    #: Keystone: the caller's token is exchanged (Keystone to Keystone)
    K2K = 'k2k'


class Base(orm.DeclarativeBase):
    """Declarative base with constraint names that match on every backend."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    def as_dict(self) -> dict[str, Any]:
        """Return the row's column values keyed by attribute name."""
        return {column.key: getattr(self, column.key)
                for column in sa.inspect(type(self)).column_attrs}


class Pod(Base):
    """An OpenStack cloud behind the gateway, named by its Keystone region."""

    __tablename__ = 'pods'
    __table_args__ = (
        sa.UniqueConstraint('name'),
        sa.CheckConstraint("identity IN ('shared', 'k2k')",
                           name='identity'),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True,
                                    default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    az_name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    pod_az_name: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    dc_name: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: the operator's preference for the ``weighted`` policy (0: never;
    #: never negative, as the database API checks)
    weight: Mapped[int] = mapped_column(sa.Integer, default=1,
                                        server_default='1')
    #: takes no new resource, serves those it holds
    draining: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                           server_default=sa.false())
    identity: Mapped[str] = mapped_column(
        sa.String(STATUS_LENGTH), default=PodIdentity.SHARED.value,
        server_default=PodIdentity.SHARED.value)
    #: the service provider registered for the pod in the gateway's
    #: Keystone (``k2k`` pods only)
    service_provider: Mapped[str | None] = mapped_column(
        sa.String(NAME_LENGTH))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime,
                                                          default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        UTCDateTime, onupdate=utcnow)


#: the columns of a pod the request path reads: all but the timestamps,
#: which the plugins' pod record has not (read from SQLite, a timestamp
#: cost more to convert than the rest of the row)
POD_RECORD_COLUMNS = tuple(column for column in Pod.__table__.columns
                           if column.name not in ('created_at', 'updated_at'))


class PodBinding(Base):
    """A project's pod in one availability zone."""

    __tablename__ = 'pod_bindings'
    __table_args__ = (
        sa.UniqueConstraint(
            'project_id', 'az_name', 'active_key',
            info={'reported_columns': ('project_id', 'az_name')}),
        sa.CheckConstraint(
            '(is_active AND active_key IS NOT NULL) OR '
            '(NOT is_active AND active_key IS NULL)',
            name='active_key'),
        sa.Index(None, 'pod_id'),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True,
                                    default=new_uuid)
    project_id: Mapped[str] = mapped_column(sa.String(PROJECT_ID_LENGTH))
    az_name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    pod_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey('pods.id', ondelete='CASCADE'))
    is_active: Mapped[bool] = mapped_column(sa.Boolean)
    active_key: Mapped[bool | None] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime,
                                                          default=utcnow)

    @orm.validates('is_active')
    def _keep_active_key(self, key: str, value: bool) -> bool:
        """Derive ``active_key`` whenever ``is_active`` is set."""
        self.active_key = True if value else None
        return value


class ResourceRouting(Base):
    """Where a resource the gateway handed out lives: its pod and bottom id."""

    __tablename__ = 'resource_routings'
    __table_args__ = (
        sa.UniqueConstraint('top_id', 'resource_type'),
        sa.CheckConstraint(
            "status IN ('creating', 'active', 'deleting', 'deleted')",
            name='status'),
        # with the pod: a project's pods are found by index seeks
        sa.Index(None, 'project_id', 'resource_type', 'pod_id'),
        sa.Index(None, 'pod_id'),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True,
                                    autoincrement=True)
    top_id: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    resource_type: Mapped[str] = mapped_column(
        sa.String(RESOURCE_TYPE_LENGTH))
    bottom_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    pod_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH),
                                        sa.ForeignKey('pods.id'))
    project_id: Mapped[str] = mapped_column(sa.String(PROJECT_ID_LENGTH))
    #: the project the resource was made in inside its pod, when that is
    #: not ``project_id`` (a ``k2k`` pod's own project)
    pod_project_id: Mapped[str | None] = mapped_column(
        sa.String(PROJECT_ID_LENGTH))
    status: Mapped[str] = mapped_column(sa.String(STATUS_LENGTH),
                                        default=RoutingStatus.CREATING.value)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime,
                                                          default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        UTCDateTime, onupdate=utcnow)
