"""What every table function of :mod:`trio2o_core.db.api` checks of a
row: that it exists, and that its values fit the columns."""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from trio2o_core.db import exceptions
from trio2o_core.db.models import Pod
from trio2o_core.db.models import PodBinding
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus

Row = TypeVar('Row', Pod, PodBinding, ResourceRouting)


#: the character no row can hold: PostgreSQL refuses it even as a query
#: parameter
_UNSTORABLE = '\x00'


def unstorable(*values: object) -> bool:
    """Whether a value is a string no row can hold: one with a NUL
    character. A lookup by such a value finds nothing."""
    return any(isinstance(value, str) and _UNSTORABLE in value
               for value in values)


def storable_strings(values: Iterable[object]) -> list[str]:
    """Those of ``values`` that are strings a row can hold (those a
    lookup by many ids may find), in order."""
    return [value for value in values
            if isinstance(value, str) and _UNSTORABLE not in value]


def split_prefixed(row: Mapping[str, Any], prefix: str
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a joined row in two: its columns without ``prefix``, and
    those labelled ``<prefix><column>`` (keyed by ``<column>``)."""
    own: dict[str, Any] = {}
    joined: dict[str, Any] = {}
    for name, value in row.items():
        if name.startswith(prefix):
            joined[name[len(prefix):]] = value
        else:
            own[name] = value
    return own, joined


def get_row(session: orm.Session, model: type[Row], ident: object) -> Row:
    """Return the row of ``model`` with primary key ``ident``.

    :raises NotFound: there is none.
    """
    if unstorable(ident):
        raise exceptions.NotFound(_resource_name(model), ident)
    row = session.get(model, ident)
    if row is None:
        raise exceptions.NotFound(_resource_name(model), ident)
    return row


def _resource_name(model: type[Any]) -> str:
    return {Pod: 'Pod', PodBinding: 'Pod binding',
            ResourceRouting: 'Resource routing'}[model]


def routing_status(status: str) -> str:
    """Return ``status`` if it is a routing status.

    :raises InvalidValue: it is not.
    """
    try:
        return RoutingStatus(status).value
    except ValueError:
        raise exceptions.InvalidValue(
            'status', f'must be one of {", ".join(RoutingStatus)}') from None


def check_values(model: type[Any], values: Mapping[str, Any]) -> None:
    """Refuse what the column types would refuse on the strictest backend.

    SQLite does not enforce string lengths, so they are checked here to
    behave the same on every backend.

    :raises InvalidValue: a required value is None, a string is too long
        or holds a NUL character, or a value has the wrong type.
    """
    columns = model.__table__.columns
    for field, value in values.items():
        column = columns[field]
        if value is None:
            if not column.nullable:
                raise exceptions.InvalidValue(field, 'must not be null')
            continue
        if isinstance(column.type, sa.String):
            if not isinstance(value, str):
                raise exceptions.InvalidValue(field, 'must be a string')
            if unstorable(value):
                raise exceptions.InvalidValue(
                    field, 'must not contain NUL characters')
            if column.type.length and len(value) > column.type.length:
                raise exceptions.InvalidValue(
                    field,
                    f'must be at most {column.type.length} characters')
        elif isinstance(column.type, sa.Boolean) and not isinstance(
                value, bool):
            raise exceptions.InvalidValue(field, 'must be a boolean')
