"""How the reconciler settles one pod's routing rows: from each row and
what the pod says of its resource, the :class:`Change` to make (pure
functions: the database is :mod:`trio2o_core.reconcile`'s, the pods
:mod:`trio2o_core.reconcile_access`'s)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import ResourceState
from trio2o_core.reconcile_report import Action
from trio2o_core.reconcile_report import Change


def is_due(row: ResourceRouting, cutoff: datetime.datetime,
            prune_missing: bool) -> bool:
    """Whether the row is one to settle: last changed before ``cutoff``,
    not ``deleted`` and not ``active`` (unless ``prune_missing``)."""
    if row.status == RoutingStatus.DELETED or (
            row.status == RoutingStatus.ACTIVE and not prune_missing):
        return False
    return (row.updated_at or row.created_at) <= cutoff


def plan(kind: str, rows: Iterable[ResourceRouting],
          inventory: PodInventory, routed: set[str],
          cutoff: datetime.datetime, older_than: float,
          keep: bool = False) -> list[Change]:
    """Return the changes that settle ``rows`` of one pod; ``routed``
    (every routed id of the type ``kind``) gains the resources adopted;
    with ``keep`` the ``deleting`` rows of resources gone are marked
    ``deleted``, not removed.

    :raises PodUnreadable: the pod cannot be read.
    """
    changes: list[Change] = []
    for row in rows:
        if row.resource_type != kind:
            changes += plan_request(kind, row, inventory, routed,
                                     made_until(row, cutoff, older_than))
            continue
        action = row_action(row, inventory.state(row.top_id), keep)
        if action is not None:
            changes.append(Change(action, row.resource_type, row.top_id,
                                  row.project_id, row.id))
    return changes


def row_action(row: ResourceRouting, state: ResourceState,
                keep: bool) -> Action | None:
    """Return what to do to a row given its resource's state (``keep``:
    the type keeps rows of deleted resources), or None to leave it."""
    gone = state is ResourceState.GONE
    if row.status == RoutingStatus.CREATING:
        return Action.REMOVED_CREATING if gone else Action.ACTIVATED
    if row.status == RoutingStatus.DELETING:
        if gone:
            return Action.MARKED_DELETED if keep else Action.REMOVED_DELETED
        return (None if state is ResourceState.DELETING
                else Action.RESTORED)
    return Action.PRUNED if gone else None


def made_until(row: ResourceRouting, cutoff: datetime.datetime,
                older_than: float) -> datetime.datetime:
    """Return the end of the time in which the call that wrote request
    row ``row`` may have made resources: ``older_than`` seconds after the
    row (the longest a call takes), or ``cutoff`` when later."""
    try:
        end = row.created_at + datetime.timedelta(seconds=older_than)
    except OverflowError:
        return cutoff
    return max(cutoff, end)


def plan_request(kind: str, row: ResourceRouting, inventory: PodInventory,
                  routed: set[str],
                  cutoff: datetime.datetime) -> list[Change]:
    """Return the adoption of the unrouted resources a request row may
    have made (from its creation until ``cutoff``: a younger one may be
    a call's in flight), then the row's removal; ``routed`` gains the
    adopted. The row stays while the pod holds an unrouted resource of
    the project made in the second of ``cutoff`` (creation times are
    told to the second): a later run adopts it once that second is over.

    :raises PodUnreadable: the pod cannot be read.
    """
    changes = []
    # in a k2k pod the resource belongs to the pod's own project
    owner = row.pod_project_id or row.project_id
    made = inventory.made(owner, row.created_at, cutoff)
    for top_id in made:
        if top_id in routed:
            continue
        routed.add(top_id)
        changes.append(Change(Action.ADOPTED, kind, top_id, row.project_id,
                              pod_project_id=row.pod_project_id))
    in_flight = set(inventory.made(
        owner, row.created_at,
        cutoff + datetime.timedelta(seconds=1))) - routed
    if not in_flight:
        changes.append(Change(Action.REMOVED_REQUEST, row.resource_type,
                              row.top_id, row.project_id, row.id))
    return changes
