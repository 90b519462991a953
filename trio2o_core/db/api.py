"""The gateway database API: pods, pod bindings and resource routings.

Every function runs in its own transaction and either completes or leaves
the database unchanged. Rows are returned as model objects outside any
session, with their columns loaded (pod lists, read on every list and
create, as plain records of the same attributes). Failures raise only
:mod:`trio2o_core.db.exceptions`.
"""

import functools
import types
from collections.abc import Callable
from typing import Any
from typing import TypedDict
from typing import Unpack

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
from trio2o_core.db.models import PodIdentity
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.routings import count_routings_by_pod  # noqa: F401
from trio2o_core.db.routings import count_routings_in as _count_routings
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


class PodChanges(TypedDict, total=False):
    """Fields of a pod that :func:`update_pod` may change."""

    name: str
    az_name: str
    pod_az_name: str | None
    dc_name: str | None
    enabled: bool
    weight: int
    draining: bool
    identity: str
    service_provider: str | None


# Pods

def _check_identity(identity: str, service_provider: str | None) -> None:
    """Refuse an unknown identity mode, or a ``k2k`` pod without a
    service provider (a ``shared`` pod may keep one it had).

    :raises InvalidValue: as said.
    """
    if identity not in tuple(PodIdentity):
        raise exceptions.InvalidValue(
            'identity', f'must be one of {", ".join(PodIdentity)}')
    if identity == PodIdentity.K2K and not service_provider:
        raise exceptions.InvalidValue(
            'service_provider', 'a k2k pod needs the service provider '
                                'registered for it in the top Keystone')


def create_pod(name: str, az_name: str, *, pod_az_name: str | None = None,
               dc_name: str | None = None, enabled: bool = True,
               identity: str = PodIdentity.SHARED,
               service_provider: str | None = None,
               pod_id: str | None = None, weight: int = 1,
               draining: bool = False) -> Pod:
    """Create a pod; its id is a new UUID unless ``pod_id`` is given.

    :raises Duplicate: a pod with this name (or id) exists.
    :raises InvalidValue: a value does not fit its column (a negative
        ``weight`` too), or ``k2k`` without a service provider.
    """
    values = {'name': name, 'az_name': az_name, 'pod_az_name': pod_az_name,
              'dc_name': dc_name, 'enabled': enabled, 'weight': weight,
              'draining': draining, 'identity': str(identity),
              'service_provider': service_provider}
    if pod_id is not None:
        values['id'] = pod_id
    rows.check_values(Pod, values)
    _check_weight(weight)
    _check_identity(values['identity'], service_provider)
    with session_scope() as session:
        pod = Pod(**values)
        session.add(pod)
    return pod


def get_pod(pod_id: str) -> Pod:
    """Return the pod with id ``pod_id``.

    :raises NotFound: no such pod.
    """
    with session_scope() as session:
        return rows.get_row(session, Pod, pod_id)


def get_pod_by_name(name: str) -> Pod:
    """Return the pod whose name (Keystone region) is ``name``.

    :raises NotFound: no such pod.
    """
    if rows.unstorable(name):
        raise exceptions.NotFound('Pod', name)
    with session_scope() as session:
        pod = session.scalars(sa.select(Pod).filter_by(name=name)).first()
        if pod is None:
            raise exceptions.NotFound('Pod', name)
        return pod


def list_pods(*, az_name: str | None = None, enabled: bool | None = None,
              timestamps: bool = True) -> list[Any]:
    """Return the pods matching the given filters, ordered by name, as
    records of their columns (read on every list and create: a prepared
    query, no ORM objects to build); without ``created_at`` and
    ``updated_at`` unless ``timestamps``."""
    if rows.unstorable(az_name):
        return []
    filters = {name: value for name, value in
               (('az_name', az_name), ('enabled', enabled))
               if value is not None}
    query = _pods_query(timestamps, *sorted(filters))
    return [types.SimpleNamespace(**row) for row in query.rows(**filters)]


@functools.cache
def _pods_query(timestamps: bool, *filtered: str) -> PreparedRead:
    """The pods, ordered by name, whose ``filtered`` columns equal the
    bind parameters of the same names."""
    table = Pod.__table__
    columns = table.columns if timestamps else POD_RECORD_COLUMNS
    return PreparedRead(sa.select(*columns).where(
        *[table.c[name] == sa.bindparam(name) for name in filtered]
    ).order_by(table.c.name))


def update_pod(pod_id: str, **changes: Unpack[PodChanges]) -> Pod:
    """Apply ``changes`` to the pod and return it as updated.

    :raises NotFound: no such pod.
    :raises Duplicate: the new name is taken.
    :raises InvalidValue: an unknown field, or a value that does not fit.
    """
    unknown = set(changes) - set(PodChanges.__annotations__)
    if unknown:
        raise exceptions.InvalidValue(', '.join(sorted(unknown)),
                                      'not a field of a pod')
    rows.check_values(Pod, changes)
    _check_weight(changes.get('weight'))
    with session_scope() as session:
        pod = rows.get_row(session, Pod, pod_id)
        for field, value in changes.items():
            setattr(pod, field, value)
        _check_identity(pod.identity, pod.service_provider)
    return pod


def delete_pod(pod_id: str, *, force: bool = False) -> int:
    """Delete the pod, its bindings and its ``deleted`` routings; with
    ``force``, its live routings too. Return how many routings went.

    :raises NotFound: no such pod.
    :raises PodInUse: live routings (any but ``deleted``) still point at
        the pod and ``force`` is false; ``count`` says how many.
    """
    try:
        with session_scope() as session:
            pod = rows.get_row(session, Pod, pod_id)
            count = _count_routings(session, pod_id)
            if count and not force:
                raise exceptions.PodInUse(pod_id, count)
            removed = session.execute(
                sa.delete(ResourceRouting).filter_by(pod_id=pod_id)
                if force else sa.delete(ResourceRouting).filter_by(
                    pod_id=pod_id, status=RoutingStatus.DELETED.value))
            session.delete(pod)
        return int(removed.rowcount or 0)
    except exceptions.InvalidReference:
        # A routing to this pod was written after the count.
        raise exceptions.PodInUse(pod_id,
                                  count_routings_by_pod(pod_id)) from None


def pod_holdings(pod_id: str) -> dict[str, dict[str, int]]:
    """Return what the pod still holds: live routings (any but
    ``deleted``) counted per project, then per resource type."""
    if rows.unstorable(pod_id):
        return {}
    query = (sa.select(ResourceRouting.project_id,
                       ResourceRouting.resource_type, sa.func.count())
             .filter_by(pod_id=pod_id)
             .where(ResourceRouting.status != RoutingStatus.DELETED.value)
             .group_by(ResourceRouting.project_id,
                       ResourceRouting.resource_type))
    held: dict[str, dict[str, int]] = {}
    with session_scope() as session:
        for project_id, resource_type, count in session.execute(query):
            held.setdefault(project_id, {})[resource_type] = count
    return held


def count_routings_per_pod() -> dict[str, int]:
    """Return how many live routings point at each pod (by pod id)."""
    query = (sa.select(ResourceRouting.pod_id, sa.func.count())
             .where(ResourceRouting.status != RoutingStatus.DELETED.value)
             .group_by(ResourceRouting.pod_id))
    with session_scope() as session:
        return {pod_id: count for pod_id, count in session.execute(query)}


def count_active_bindings_per_pod() -> dict[str, int]:
    """Return how many active bindings point at each pod (by pod id)."""
    query = (sa.select(PodBinding.pod_id, sa.func.count())
             .filter_by(is_active=True).group_by(PodBinding.pod_id))
    with session_scope() as session:
        return {pod_id: count for pod_id, count in session.execute(query)}


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


# Helpers

def _check_weight(weight: int | None) -> None:
    if weight is not None and (isinstance(weight, bool) or weight < 0):
        raise exceptions.InvalidValue('weight', 'must be zero or more')
