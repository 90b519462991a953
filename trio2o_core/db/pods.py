"""The pods table: one row per OpenStack cloud behind the gateway (the
pod functions of :mod:`trio2o_core.db.api`, which re-exports them)."""

import functools
import types
from typing import Any
from typing import TypedDict
from typing import Unpack

import sqlalchemy as sa

from trio2o_core.db import exceptions
from trio2o_core.db import rows
from trio2o_core.db.engine import PreparedRead
from trio2o_core.db.engine import session_scope
from trio2o_core.db.models import POD_RECORD_COLUMNS
from trio2o_core.db.models import Pod
from trio2o_core.db.models import PodBinding
from trio2o_core.db.models import PodIdentity
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.routings import count_routings_by_pod
from trio2o_core.db.routings import count_routings_in as _count_routings


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
    ``updated_at`` unless ``timestamps``. While the rows read are those
    read last with the same filters, the records are the same objects
    (not to be changed)."""
    if rows.unstorable(az_name):
        return []
    filters = {name: value for name, value in
               (('az_name', az_name), ('enabled', enabled))
               if value is not None}
    query = _pods_query(timestamps, *sorted(filters))
    found = query.fetch(**filters)
    key = (query, *filters.items())
    last = _LAST_READ.get(key)
    if last is not None and last[0] == found:
        return list(last[1])
    records = [types.SimpleNamespace(**row) for row in query.records(found)]
    if key in _LAST_READ or len(_LAST_READ) < MAX_LAST_READ:
        _LAST_READ[key] = (found, records)
    return list(records)


#: the rows of :func:`list_pods` read last, and their records, by query
#: and filters (zones are few: at most MAX_LAST_READ kept)
_LAST_READ: dict[tuple[Any, ...], tuple[list[Any], list[Any]]] = {}
MAX_LAST_READ = 64


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


def _check_weight(weight: int | None) -> None:
    if weight is not None and (isinstance(weight, bool) or weight < 0):
        raise exceptions.InvalidValue('weight', 'must be zero or more')
