"""Reconcile the routing table with the pods after a crash or a lost
answer.

Every write that spans the gateway database and a pod leaves a row the
gateway can check against the pod (DESIGN.md §4). Calls of a service
driver leave three kinds of rows of a routed type (``server``...) when
they are cut short:

- a row ``creating``: the pod made the resource, the gateway stopped
  before marking it ``active``;
- a row ``deleting``: the pod was asked to delete the resource and the
  gateway has not yet seen it gone (or the pod refused and the gateway
  stopped before setting the row back);
- a ``<type>_request`` row: written before a create call, removed once
  the resources made are routed; one left behind means the pod may hold
  resources of that project, made after the row, that no row points to.

A type whose driver serves calls on deleted resources keeps the row of
a resource gone from its pod, ``deleted``, for the reconciler's
``retention``; older ``deleted`` rows are pruned by every run (and by
:func:`prune`, which asks no pod).

The algorithm is the core's; how a pod is read is the driver's
(:class:`trio2o_core.plugin.Reconciler`, from ``ServiceDriver.reconcilers``
of each enabled service). How the pods are reached is
:mod:`trio2o_core.reconcile_access`'s.

:func:`reconcile` asks every enabled pod, as the gateway's service user
(``[keystone_authtoken]``), about the rows older than a threshold, so that
calls in flight are never touched, and settles each row from the pod's
answer. Rows are changed only if they still have the status they were
read with: a row the gateway changes meanwhile is left to it.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence

from keystoneauth1 import session as ks_session
from oslo_config import cfg

from trio2o_core import core_gateway
from trio2o_core import reconcile_access
from trio2o_core import reconcile_plan
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.models import utcnow
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin import Reconciler
from trio2o_core.reconcile_report import EXPECTED_STATUS
from trio2o_core.reconcile_report import Action
from trio2o_core.reconcile_report import Change
from trio2o_core.reconcile_report import PodReport
from trio2o_core.reconcile_report import Summary

LOG = logging.getLogger(__name__)

#: rows younger than this many seconds are left alone by default
DEFAULT_OLDER_THAN = 300.0


def reconcile(session: ks_session.Session, *,
              older_than: float = DEFAULT_OLDER_THAN,
              dry_run: bool = False, prune_missing: bool = False,
              conf: cfg.ConfigOpts = CONF,
              reconcilers: Sequence[Reconciler] | None = None) -> Summary:
    """Settle the rows older than ``older_than`` seconds of every
    enabled pod from what the pod says, as the service user of
    ``session`` (who must see every project's resources: the admin
    role), for each of ``reconcilers`` (by default those of the enabled
    services):

    - ``creating``: the resource exists -> ``active``; it is gone ->
      removed.
    - ``deleting``: gone -> removed; present and not being deleted ->
      ``active``.
    - ``<type>_request``: every resource of the row's project the pod
      made at or after the row and before the threshold that no row
      points to is routed ``active``; the request row is removed.
    - ``active``, only with ``prune_missing``: gone -> removed.
    - ``deleting`` of a type with a ``retention``: gone -> ``deleted``;
      ``deleted`` rows marked longer than ``retention`` ago -> removed
      (without asking the pod).

    A pod that cannot be asked is skipped, with a warning, and none of
    its rows but the expired ``deleted`` ones changes. With ``dry_run``
    nothing changes; the summary says what would have.

    :raises ValueError: ``older_than`` is negative or not a number.
    :raises trio2o_core.reconcile_access.ReconcileError: the service
        user cannot authenticate, or ``[pods] endpoint_overrides`` is
        malformed.
    :raises PluginLoadError: an enabled service cannot be loaded.
    :raises trio2o_core.db.exceptions.DBError: the gateway database
        fails.
    """
    cutoff = _cutoff(older_than)
    endpoints = reconcile_access.EndpointFinder(
        reconcile_access.service_access(session), conf)
    if reconcilers is None:
        reconcilers = enabled_reconcilers(conf)
    pods = db.list_pods(enabled=True)
    reports = {pod.name: PodReport(pod.name) for pod in pods}
    for reconciler in reconcilers:
        kind = reconciler.resource_type
        rows = db.list_routings(resource_type=kind)
        routed = {row.top_id for row in rows}
        rows += db.list_routings(resource_type=f'{kind}_request')
        keep = reconciler.retention > 0
        for pod in pods:
            report = reports[pod.name]
            report.changes += _expire(rows, pod.id, reconciler.retention,
                                      dry_run)
            due = [row for row in rows if row.pod_id == pod.id
                   and reconcile_plan.is_due(row, cutoff, prune_missing)]
            if not due or report.skipped:
                continue
            try:
                get = endpoints.getter(session, core_gateway.to_pod(pod),
                                       reconciler.catalog_service)
                inventory = reconciler.inventory(core_gateway.to_pod(pod),
                                                 get)
                changes = reconcile_plan.plan(kind, due, inventory, routed,
                                              cutoff, older_than, keep)
            except PodUnreadable as exc:
                LOG.warning('Pod %s skipped, its routings unchanged: %s',
                            pod.name, exc)
                report.skipped = str(exc)
                continue
            if not dry_run:
                changes = [change for change in changes
                           if _apply(change, pod.id)]
            report.changes += changes
    return Summary(dry_run, older_than, reports)


def prune(dry_run: bool = False, conf: cfg.ConfigOpts = CONF,
          reconcilers: Sequence[Reconciler] | None = None) -> Summary:
    """Remove the ``deleted`` rows of every enabled pod kept longer than
    their type's ``retention`` (the reconcilers of the enabled services
    by default), asking no pod; with ``dry_run``, only say which.

    :raises PluginLoadError: an enabled service cannot be loaded.
    :raises trio2o_core.db.exceptions.DBError: the gateway database
        fails.
    """
    if reconcilers is None:
        reconcilers = enabled_reconcilers(conf)
    pods = db.list_pods(enabled=True)
    reports = {pod.name: PodReport(pod.name) for pod in pods}
    for reconciler in reconcilers:
        rows = db.list_routings(resource_type=reconciler.resource_type)
        for pod in pods:
            reports[pod.name].changes += _expire(
                rows, pod.id, reconciler.retention, dry_run)
    return Summary(dry_run, 0.0, reports)


def run_periodically(conf: cfg.ConfigOpts = CONF,
                     sleep: Callable[[float], None] = time.sleep,
                     runs: int | None = None) -> None:
    """Reconcile every ``[reconcile] interval`` seconds, rows older than
    ``[reconcile] older_than``; ``runs`` bounds the number of runs
    (None: for ever).

    Returns at once, with a warning, when there are no usable service
    credentials. A failed run is logged and the next one is made on
    time; a run that changed something logs what.
    """
    try:
        session = reconcile_access.service_session(conf)
    except reconcile_access.ReconcileError as exc:
        LOG.warning('periodic reconciliation is off: %s', exc)
        return
    done = 0
    while runs is None or done < runs:
        sleep(conf.reconcile.interval)
        done += 1
        try:
            summary = reconcile(session, conf=conf,
                                older_than=conf.reconcile.older_than)
        except Exception:
            LOG.exception('periodic reconciliation failed')
            continue
        for name, report in summary.pods.items():
            if report.changes or report.skipped:
                LOG.info('reconciled pod %s: %s', name, report.as_dict())


def enabled_reconcilers(conf: cfg.ConfigOpts = CONF) -> list[Reconciler]:
    """Return the reconcilers of the enabled services.

    :raises PluginLoadError: an enabled service cannot be loaded.
    """
    gateway = core_gateway.CoreGateway(conf)
    return [reconciler for name in conf.enabled_services
            for reconciler in gateway.service(name).reconcilers()]


def _cutoff(older_than: float) -> datetime.datetime:
    """Return the time before which a row counts as left behind.

    :raises ValueError: ``older_than`` is negative or not a number.
    """
    if not older_than >= 0:
        raise ValueError(f'older_than must be 0 or more, not {older_than}')
    try:
        return utcnow() - datetime.timedelta(seconds=older_than)
    except OverflowError:
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _expire(rows: Iterable[ResourceRouting], pod_id: str,
            retention: float, dry_run: bool) -> list[Change]:
    """Return the removal of the pod's ``deleted`` rows marked more than
    ``retention`` seconds ago, made unless ``dry_run`` (a row the
    gateway changed meanwhile is left)."""
    expiry = _cutoff(retention)
    changes = [Change(Action.EXPIRED, row.resource_type, row.top_id,
                      row.project_id, row.id) for row in rows
               if row.pod_id == pod_id
               and row.status == RoutingStatus.DELETED
               and (row.updated_at or row.created_at) < expiry]
    if dry_run:
        return changes
    return [change for change in changes if _apply(change, pod_id)]


def _apply(change: Change, pod_id: str) -> bool:
    """Make ``change`` unless the gateway got there first (the row has
    another status now, or is gone; the server is routed already);
    return whether it was made.

    :raises trio2o_core.db.exceptions.DBError: the database fails.
    """
    if change.action is Action.ADOPTED:
        try:
            db.create_routing(change.top_id, change.resource_type, pod_id,
                              change.project_id,
                              status=RoutingStatus.ACTIVE,
                              pod_project_id=change.pod_project_id)
        except db_exc.Duplicate:
            return False
        return True
    expected = EXPECTED_STATUS[change.action].value
    if change.action in (Action.ACTIVATED, Action.RESTORED):
        made = db.set_routing_status_if(change.routing_id, expected,
                                        RoutingStatus.ACTIVE.value)
    elif change.action is Action.MARKED_DELETED:
        made = db.set_routing_status_if(change.routing_id, expected,
                                        RoutingStatus.DELETED.value)
    else:
        made = db.delete_routing_if(change.routing_id, expected)
    if not made:
        LOG.info('Routing %s changed meanwhile; left as it is',
                 change.routing_id)
    return made
