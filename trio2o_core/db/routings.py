"""Resource routings in the gateway database: which pod holds each top
id, created, read, listed and moved through their statuses. Part of
:mod:`trio2o_core.db.api`, which exports every public name here; the
same rules hold (one transaction per function, model objects outside
any session, only :mod:`trio2o_core.db.exceptions` raised).
"""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from trio2o_core.db import exceptions
from trio2o_core.db import rows
from trio2o_core.db.engine import PreparedRead
from trio2o_core.db.engine import read_scope
from trio2o_core.db.engine import session_scope
from trio2o_core.db.engine import write_scope
from trio2o_core.db.models import POD_RECORD_COLUMNS
from trio2o_core.db.models import Pod
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.models import utcnow


def create_routing(top_id: str, resource_type: str, pod_id: str,
                   project_id: str, *, bottom_id: str | None = None,
                   status: str = RoutingStatus.CREATING,
                   pod_project_id: str | None = None) -> ResourceRouting:
    """Route ``top_id`` of ``resource_type`` to ``pod_id``.

    ``bottom_id`` defaults to ``top_id`` (servers and volumes keep the
    pod's id). ``status`` is a :class:`RoutingStatus` value: write the row
    ``creating`` before asking the pod, then mark it active.
    ``pod_project_id`` is the project inside the pod when it is not
    ``project_id`` (a ``k2k`` pod's own project).

    :raises Duplicate: (``top_id``, ``resource_type``) is routed already.
    :raises InvalidReference: no pod has id ``pod_id``.
    :raises InvalidValue: a value does not fit, or an unknown status.
    """
    values = {'top_id': top_id, 'resource_type': resource_type,
              'pod_id': pod_id, 'project_id': project_id,
              'bottom_id': top_id if bottom_id is None else bottom_id,
              'status': rows.routing_status(status),
              'pod_project_id': pod_project_id}
    rows.check_values(ResourceRouting, values)
    values['created_at'] = utcnow()
    table = ResourceRouting.__table__
    with write_scope() as connection:
        inserted = connection.execute(sa.insert(table).values(values))
    return ResourceRouting(id=inserted.inserted_primary_key[0],
                           updated_at=None, **values)


def route_created(request_id: str, request_type: str, top_ids: Iterable[str],
                  resource_type: str, pod_id: str, project_id: str, *,
                  pod_project_id: str | None = None) -> None:
    """Settle a create call in one transaction: route each of
    ``top_ids`` of ``resource_type`` to ``pod_id`` ``active`` (the
    bottom id is the top id) and remove the request row
    (``request_id``, ``request_type``) written before the call. A crash
    leaves both changes or neither (then the request row tells the
    reconciler where to look).

    :raises Duplicate: one of ``top_ids`` is routed already (nothing
        changed).
    :raises InvalidReference: no pod has id ``pod_id``.
    :raises InvalidValue: a value does not fit its column.
    """
    now = utcnow()
    routed = []
    for top_id in top_ids:
        values = {'top_id': top_id, 'resource_type': resource_type,
                  'pod_id': pod_id, 'project_id': project_id,
                  'bottom_id': top_id, 'status': RoutingStatus.ACTIVE.value,
                  'pod_project_id': pod_project_id}
        rows.check_values(ResourceRouting, values)
        routed.append({**values, 'created_at': now})
    table = ResourceRouting.__table__
    with write_scope() as connection:
        if routed:
            connection.execute(sa.insert(table), routed)
        connection.execute(_delete_key(request_id, request_type))


def get_routing(routing_id: int) -> ResourceRouting:
    """Return the routing with id ``routing_id``.

    :raises NotFound: no such routing.
    """
    with session_scope() as session:
        return rows.get_row(session, ResourceRouting, routing_id)


def get_routing_by_top_id(top_id: str,
                          resource_type: str) -> ResourceRouting:
    """Return the routing of ``top_id`` of ``resource_type``.

    :raises NotFound: the resource is not routed.
    """
    if rows.unstorable(top_id, resource_type):
        raise exceptions.NotFound(resource_type, top_id)
    with session_scope() as session:
        routing = session.scalars(sa.select(ResourceRouting).filter_by(
            top_id=top_id, resource_type=resource_type)).first()
        if routing is None:
            raise exceptions.NotFound(resource_type, top_id)
        return routing


#: the routing of a top id (but its ``updated_at``) and its pod's record
#: columns (named ``pod__<column>``) in one statement, prepared once
_ROUTING_AND_POD = PreparedRead(sa.select(
    *[column for column in ResourceRouting.__table__.columns
      if column.name != 'updated_at'],
    *[column.label(f'pod__{column.name}') for column in POD_RECORD_COLUMNS],
).join_from(
    ResourceRouting.__table__, Pod.__table__,
    ResourceRouting.__table__.c.pod_id == Pod.__table__.c.id,
).where(
    ResourceRouting.__table__.c.top_id == sa.bindparam('top_id'),
    ResourceRouting.__table__.c.resource_type == sa.bindparam('rtype'),
).limit(1))


def get_routing_and_pod(top_id: str, resource_type: str
                        ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Return the routing of ``top_id`` of ``resource_type`` (all its
    columns but ``updated_at``) and its pod's record columns
    (:data:`~trio2o_core.db.models.POD_RECORD_COLUMNS`), as column
    mappings, read in one prepared query (the per-request lookup).

    :raises NotFound: the resource is not routed.
    """
    if rows.unstorable(top_id, resource_type):
        raise exceptions.NotFound(resource_type, top_id)
    found = _ROUTING_AND_POD.first(top_id=top_id, rtype=resource_type)
    if found is None:
        raise exceptions.NotFound(resource_type, top_id)
    return rows.split_prefixed(found, 'pod__')


def list_routings(*, project_id: str | None = None,
                  pod_id: str | None = None,
                  resource_type: str | None = None,
                  limit: int | None = None,
                  marker: int | None = None) -> list[ResourceRouting]:
    """Return routings matching the filters, in ascending id order.

    At most ``limit`` rows are returned, starting after the routing whose
    id is ``marker``.

    :raises MarkerNotFound: no routing has id ``marker``.
    :raises InvalidValue: ``limit`` is negative.
    """
    if limit is not None and limit < 0:
        raise exceptions.InvalidValue('limit', 'must be zero or more')
    if rows.unstorable(project_id, pod_id, resource_type):
        return []
    filters = {'project_id': project_id, 'pod_id': pod_id,
               'resource_type': resource_type}
    query = sa.select(ResourceRouting).filter_by(
        **{k: v for k, v in filters.items() if v is not None})
    with session_scope() as session:
        if marker is not None:
            if session.get(ResourceRouting, marker) is None:
                raise exceptions.MarkerNotFound(marker)
            query = query.where(ResourceRouting.id > marker)
        return list(session.scalars(
            query.order_by(ResourceRouting.id).limit(limit)))


def list_routing_rows(*, project_id: str | None = None,
                      pod_id: str | None = None,
                      resource_type: str | None = None
                      ) -> list[Mapping[str, Any]]:
    """Return the routings matching the filters, in ascending id order,
    as column mappings read with SQLAlchemy Core (the list path: no ORM
    object per row)."""
    if rows.unstorable(project_id, pod_id, resource_type):
        return []
    table = ResourceRouting.__table__
    query = sa.select(table).order_by(table.c.id)
    for name, value in (('project_id', project_id), ('pod_id', pod_id),
                        ('resource_type', resource_type)):
        if value is not None:
            query = query.where(table.c[name] == value)
    with read_scope() as connection:
        return list(connection.execute(query).mappings())


#: the pods holding a routing of a project: one index seek per pod
#: (``project_id, resource_type, pod_id``), whatever the project holds
_ROUTED_POD_IDS = PreparedRead(
    sa.select(Pod.__table__.c.id).where(sa.exists().where(
        ResourceRouting.__table__.c.project_id == sa.bindparam('project_id'),
        ResourceRouting.__table__.c.resource_type == sa.bindparam('rtype'),
        ResourceRouting.__table__.c.pod_id == Pod.__table__.c.id)))


def routed_pod_ids(project_id: str, resource_type: str) -> set[str]:
    """Return the ids of the pods holding a routing (any status) of
    ``project_id`` of ``resource_type`` (read on every list)."""
    if rows.unstorable(project_id, resource_type):
        return set()
    return {row['id'] for row in _ROUTED_POD_IDS.rows(
        project_id=project_id, rtype=resource_type)}


#: routings of a batch of top ids, found by the unique index of top ids
#: (the project is compared here: with it in the query, SQLite would
#: scan all the project's routings by their other index)
_ROUTINGS_OF_TOP_IDS = PreparedRead(
    sa.select(ResourceRouting.__table__.c.top_id,
              ResourceRouting.__table__.c.project_id).where(
        ResourceRouting.__table__.c.top_id.in_(
            sa.bindparam('top_ids', expanding=True)),
        ResourceRouting.__table__.c.resource_type == sa.bindparam('rtype')))


def routed_top_ids(project_id: str, resource_type: str,
                   top_ids: Iterable[str]) -> set[str]:
    """Return those of ``top_ids`` routed (any status) to ``project_id``
    as ``resource_type``: one prepared query for a batch of ids, by the
    unique index of top ids (its cost is the batch's, not the
    project's)."""
    wanted = rows.storable_strings(top_ids)
    if not wanted or rows.unstorable(project_id, resource_type):
        return set()
    return {row['top_id'] for row in _ROUTINGS_OF_TOP_IDS.rows(
        top_ids=wanted, rtype=resource_type)
        if row['project_id'] == project_id}


def count_routings_by_pod(pod_id: str) -> int:
    """Return how many live routings (any but ``deleted``) point at the
    pod."""
    if rows.unstorable(pod_id):
        return 0
    with session_scope() as session:
        return count_routings_in(session, pod_id)


def mark_routing_active(routing_id: int, *,
                        bottom_id: str | None = None) -> ResourceRouting:
    """Mark the routing active, setting ``bottom_id`` when given.

    :raises NotFound: no such routing.
    :raises InvalidValue: ``bottom_id`` does not fit its column.
    """
    changes: dict[str, Any] = {'status': RoutingStatus.ACTIVE.value}
    if bottom_id is not None:
        changes['bottom_id'] = bottom_id
    return _update_routing(routing_id, changes)


def mark_routing_deleting(routing_id: int) -> ResourceRouting:
    """Mark the routing as being deleted in its pod.

    :raises NotFound: no such routing.
    """
    return _update_routing(routing_id,
                           {'status': RoutingStatus.DELETING.value})


def mark_routing_deleted(routing_id: int) -> ResourceRouting:
    """Mark the routing's resource gone from its pod (the row is kept
    until the reconciler prunes it).

    :raises NotFound: no such routing.
    """
    return _update_routing(routing_id,
                           {'status': RoutingStatus.DELETED.value})


def set_routing_project(routing_id: int,
                        project_id: str) -> ResourceRouting:
    """Give the routing to another project.

    :raises NotFound: no such routing.
    :raises InvalidValue: ``project_id`` does not fit its column.
    """
    return _update_routing(routing_id, {'project_id': project_id})


def set_routing_status(top_id: str, resource_type: str,
                       status: str) -> None:
    """Set the status of the routing of ``top_id`` of
    ``resource_type`` (one statement).

    :raises NotFound: the resource is not routed.
    :raises InvalidValue: an unknown status.
    """
    status = rows.routing_status(status)
    if rows.unstorable(top_id, resource_type):
        raise exceptions.NotFound(resource_type, top_id)
    table = ResourceRouting.__table__
    with write_scope() as connection:
        changed = connection.execute(sa.update(table).where(
            table.c.top_id == top_id,
            table.c.resource_type == resource_type).values(
                status=status, updated_at=utcnow())).rowcount
    if not changed:
        raise exceptions.NotFound(resource_type, top_id)


def forget_routing(top_id: str, resource_type: str) -> None:
    """Delete the routing of ``top_id`` of ``resource_type`` (one
    statement); a missing one is not an error."""
    if rows.unstorable(top_id, resource_type):
        return
    with write_scope() as connection:
        connection.execute(_delete_key(top_id, resource_type))


def _delete_key(top_id: str, resource_type: str) -> sa.Delete:
    """The statement deleting the routing of a key (none: no row)."""
    table = ResourceRouting.__table__
    return sa.delete(table).where(table.c.top_id == top_id,
                                  table.c.resource_type == resource_type)


def delete_routing(routing_id: int) -> None:
    """Delete the routing.

    :raises NotFound: no such routing.
    """
    with session_scope() as session:
        session.delete(rows.get_row(session, ResourceRouting, routing_id))


def set_routing_status_if(routing_id: int, expected: str,
                          status: str) -> bool:
    """Set the routing's status to ``status`` only if it is still
    ``expected``; return whether it was changed (False: the row has
    another status now, or is gone).

    :raises InvalidValue: an unknown status.
    """
    routing = ResourceRouting.__table__
    statement = sa.update(routing).where(
        routing.c.id == routing_id,
        routing.c.status == rows.routing_status(expected)).values(
            status=rows.routing_status(status), updated_at=utcnow())
    with session_scope() as session:
        return session.execute(statement).rowcount == 1


def delete_routing_if(routing_id: int, expected: str) -> bool:
    """Delete the routing only if its status is still ``expected``;
    return whether it was deleted.

    :raises InvalidValue: an unknown status.
    """
    routing = ResourceRouting.__table__
    statement = sa.delete(routing).where(
        routing.c.id == routing_id,
        routing.c.status == rows.routing_status(expected))
    with session_scope() as session:
        return session.execute(statement).rowcount == 1


def count_routings_in(session: orm.Session, pod_id: str) -> int:
    """Count ``pod_id``'s routings (deleted ones aside) in ``session``."""
    return session.scalar(
        sa.select(sa.func.count()).select_from(ResourceRouting)
        .filter_by(pod_id=pod_id).where(
            ResourceRouting.status != RoutingStatus.DELETED.value)) or 0


def _update_routing(routing_id: int,
                    changes: Mapping[str, Any]) -> ResourceRouting:
    rows.check_values(ResourceRouting, changes)
    with session_scope() as session:
        routing = rows.get_row(session, ResourceRouting, routing_id)
        for field, value in changes.items():
            setattr(routing, field, value)
    return routing
