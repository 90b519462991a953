"""The gateway database API: pods, pod bindings and resource routings.

Every function runs in its own transaction and either completes or leaves
the database unchanged. Rows are returned as model objects outside any
session, with their columns loaded (pod lists, read on every list and
create, as plain records of the same attributes). Failures raise only
:mod:`trio2o_core.db.exceptions`.
"""

import types
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from trio2o_core.db import exceptions
from trio2o_core.db import rows
from trio2o_core.db.engine import PreparedRead
from trio2o_core.db.engine import get_engine
from trio2o_core.db.engine import read_scope
from trio2o_core.db.engine import reset_engine
from trio2o_core.db.engine import session_scope
from trio2o_core.db.models import POD_RECORD_COLUMNS
from trio2o_core.db.models import Pod
from trio2o_core.db.models import PodBinding
from trio2o_core.db.pods import PodChanges  # noqa: F401
from trio2o_core.db.pods import count_active_bindings_per_pod  # noqa: F401
from trio2o_core.db.pods import count_routings_per_pod  # noqa: F401
from trio2o_core.db.pods import create_pod  # noqa: F401
from trio2o_core.db.pods import delete_pod  # noqa: F401
from trio2o_core.db.pods import get_pod  # noqa: F401
from trio2o_core.db.pods import get_pod_by_name  # noqa: F401
from trio2o_core.db.pods import list_pods
from trio2o_core.db.pods import pod_holdings  # noqa: F401
from trio2o_core.db.pods import update_pod  # noqa: F401
from trio2o_core.db.routings import count_routings_by_pod  # noqa: F401
from trio2o_core.db.routings import create_routing  # noqa: F401
from trio2o_core.db.routings import delete_routing  # noqa: F401
from trio2o_core.db.routings import delete_routing_if  # noqa: F401
from trio2o_core.db.routings import forget_routing  # noqa: F401
from trio2o_core.db.routings import get_routing  # noqa: F401
from trio2o_core.db.routings import get_routing_and_pod  # noqa: F401
from trio2o_core.db.routings import get_routing_by_top_id  # noqa: F401
from trio2o_core.db.routings import list_routing_rows  # noqa: F401
from trio2o_core.db.routings import list_routings  # noqa: F401
from trio2o_core.db.routings import mark_routing_active  # noqa: F401
from trio2o_core.db.routings import mark_routing_deleted  # noqa: F401
from trio2o_core.db.routings import mark_routing_deleting  # noqa: F401
from trio2o_core.db.routings import route_created  # noqa: F401
from trio2o_core.db.routings import routed_pod_ids  # noqa: F401
from trio2o_core.db.routings import routed_top_ids  # noqa: F401
from trio2o_core.db.routings import set_routing_project  # noqa: F401
from trio2o_core.db.routings import set_routing_status  # noqa: F401
from trio2o_core.db.routings import set_routing_status_if  # noqa: F401

__all__ = [
    'get_engine', 'reset_engine', 'session_scope',
    'PodChanges',
    'create_pod', 'get_pod', 'get_pod_by_name', 'list_pods', 'update_pod',
    'delete_pod', 'pod_holdings',
    'create_binding', 'get_binding', 'get_active_binding', 'list_bindings',
    'pods_and_active_binding',
    'deactivate_binding', 'delete_binding', 'get_or_create_active_binding',
    'rebind', 'count_routings_per_pod', 'count_active_bindings_per_pod',
    'create_routing', 'route_created', 'get_routing', 'get_routing_by_top_id',
    'get_routing_and_pod',
    'list_routings', 'list_routing_rows', 'routed_pod_ids',
    'routed_top_ids', 'count_routings_by_pod',
    'mark_routing_active', 'mark_routing_deleting', 'delete_routing',
    'set_routing_status', 'forget_routing',
]

BINDING_RACE_ATTEMPTS = 5


# Pod bindings

def create_binding(project_id: str, az_name: str, pod_id: str, *,
                   is_active: bool = True) -> PodBinding:
    """Bind ``project_id`` to ``pod_id`` in ``az_name``.

    :raises Duplicate: (``project_id``, ``az_name``) when an active
        binding exists already and ``is_active`` is true.
    :raises InvalidReference: no pod has id ``pod_id``.
    :raises InvalidValue: a value does not fit its column.
    """
    values = {'project_id': project_id, 'az_name': az_name, 'pod_id': pod_id,
              'is_active': is_active}
    rows.check_values(PodBinding, values)
    with session_scope() as session:
        binding = PodBinding(**values)
        session.add(binding)
    return binding


def get_binding(binding_id: str) -> PodBinding:
    """Return the binding with id ``binding_id``.

    :raises NotFound: no such binding.
    """
    with session_scope() as session:
        return rows.get_row(session, PodBinding, binding_id)


def get_active_binding(project_id: str, az_name: str) -> PodBinding | None:
    """Return the active binding of the project in the AZ, if there is one."""
    if rows.unstorable(project_id, az_name):
        return None
    table = PodBinding.__table__
    with read_scope() as connection:
        found = connection.execute(sa.select(table).where(
            table.c.project_id == project_id, table.c.az_name == az_name,
            table.c.is_active.is_(True)).limit(1)).mappings().first()
    return None if found is None else PodBinding(**found)


#: every pod with the columns (named ``binding__<column>``) of the active
#: binding of a project in an AZ on its pod's row, prepared once
_PODS_AND_BINDING = PreparedRead(sa.select(
    *POD_RECORD_COLUMNS,
    *[column.label(f'binding__{column.name}')
      for column in PodBinding.__table__.columns],
).join_from(
    Pod.__table__, PodBinding.__table__, sa.and_(
        PodBinding.__table__.c.pod_id == Pod.__table__.c.id,
        PodBinding.__table__.c.project_id == sa.bindparam('project_id'),
        PodBinding.__table__.c.az_name == sa.bindparam('az_name'),
        PodBinding.__table__.c.is_active.is_(True)),
    isouter=True,
).order_by(Pod.__table__.c.name))


def pods_and_active_binding(project_id: str, az_name: str
                            ) -> tuple[list[Any], PodBinding | None]:
    """Return every pod, ordered by name (as :func:`list_pods` without
    timestamps), and the active binding of the project in the AZ (None
    if there is none), read in one query (what each create is scheduled
    with)."""
    if rows.unstorable(project_id, az_name):
        return list_pods(timestamps=False), None
    found = _PODS_AND_BINDING.rows(project_id=project_id, az_name=az_name)
    pods, binding = [], None
    for row in found:
        pod, bound = rows.split_prefixed(row, 'binding__')
        pods.append(types.SimpleNamespace(**pod))
        if bound['id'] is not None:
            binding = PodBinding(**bound)
    return pods, binding


def list_bindings(*, project_id: str | None = None,
                  az_name: str | None = None, pod_id: str | None = None,
                  is_active: bool | None = None) -> list[PodBinding]:
    """Return the bindings matching the filters, oldest first."""
    if rows.unstorable(project_id, az_name, pod_id):
        return []
    filters = {'project_id': project_id, 'az_name': az_name,
               'pod_id': pod_id, 'is_active': is_active}
    query = sa.select(PodBinding).filter_by(
        **{k: v for k, v in filters.items() if v is not None})
    with session_scope() as session:
        return list(session.scalars(
            query.order_by(PodBinding.created_at, PodBinding.id)))


def deactivate_binding(binding_id: str) -> PodBinding:
    """Mark the binding inactive (kept as history) and return it.

    :raises NotFound: no such binding.
    """
    with session_scope() as session:
        binding = rows.get_row(session, PodBinding, binding_id)
        binding.is_active = False
    return binding


def delete_binding(binding_id: str) -> None:
    """Delete the binding.

    :raises NotFound: no such binding.
    """
    with session_scope() as session:
        session.delete(rows.get_row(session, PodBinding, binding_id))


def get_or_create_active_binding(project_id: str, az_name: str,
                                 choose_pod: Callable[[], str]
                                 ) -> PodBinding:
    """Return the project's active binding in the AZ, creating it if none.

    ``choose_pod`` is called only when no active binding is seen, and
    returns the id of the pod to bind. Concurrent callers (threads,
    workers, hosts) all get the same binding: the database refuses every
    insert but the first, and the losers return the winner's row.

    :raises InvalidReference: ``choose_pod`` returned an unknown pod id.
    :raises TransientError: the binding kept changing under concurrent
        deactivation.
    Whatever ``choose_pod`` raises is passed on.
    """
    for _attempt in range(BINDING_RACE_ATTEMPTS):
        binding = get_active_binding(project_id, az_name)
        if binding is not None:
            return binding
        try:
            return create_binding(project_id, az_name, choose_pod())
        except (exceptions.Duplicate, exceptions.TransientError):
            continue
    raise exceptions.TransientError(
        f'No stable active binding for project {project_id} in '
        f'{az_name} after {BINDING_RACE_ATTEMPTS} attempts.')


def rebind(binding_id: str, project_id: str, az_name: str,
           choose_pod: Callable[[], str]) -> PodBinding:
    """Move the project's binding in the AZ away from binding
    ``binding_id``: deactivate it (kept as history) if it is still the
    active one, then return the active binding, created with
    ``choose_pod`` if none is.

    Workers that find the same binding unusable at once all end with the
    same new binding: only one deactivates it (a conditional update),
    and :func:`get_or_create_active_binding` lets one insert win.

    :raises InvalidReference: ``choose_pod`` returned an unknown pod id.
    :raises TransientError: as :func:`get_or_create_active_binding`.
    Whatever ``choose_pod`` raises is passed on.
    """
    table = PodBinding.__table__
    with session_scope() as session:
        session.execute(sa.update(table).where(
            table.c.id == binding_id, table.c.is_active.is_(True)).values(
                is_active=False, active_key=None))
    return get_or_create_active_binding(project_id, az_name, choose_pod)
