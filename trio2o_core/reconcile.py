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
of each enabled service).

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
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from keystoneauth1 import access
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session
from keystonemiddleware import auth_token  # noqa: F401
from oslo_config import cfg

from trio2o_core import core_gateway
from trio2o_core import reconcile_plan
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.models import utcnow
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.pods import federation
from trio2o_core.pods.connector import SERVICE_TYPES
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.connector import catalog_url
from trio2o_core.reconcile_report import EXPECTED_STATUS
from trio2o_core.reconcile_report import Action
from trio2o_core.reconcile_report import Change
from trio2o_core.reconcile_report import PodReport
from trio2o_core.reconcile_report import Summary

LOG = logging.getLogger(__name__)

#: the configuration group holding the service user's credentials; the
#: import of keystonemiddleware's auth_token registers its options
#: (cafile, insecure...), so it reads the same here as in trio2o-api
GROUP = 'keystone_authtoken'
#: rows younger than this many seconds are left alone by default
DEFAULT_OLDER_THAN = 300.0


class ReconcileError(Exception):
    """The reconciler cannot run: no usable service credentials, a
    service user Keystone refuses, or malformed pod options. Nothing
    was changed."""


def service_session(conf: cfg.ConfigOpts = CONF) -> ks_session.Session:
    """Return a session that authenticates as the gateway's service user
    with the ``[keystone_authtoken]`` credentials (``auth_type``,
    ``auth_url``, ``username``...), verifying TLS as ``cafile`` and
    ``insecure`` say, with ``[pods] timeout``.

    No call is made: a wrong password shows at :func:`reconcile`.

    :raises ReconcileError: no ``auth_type`` is set, the plugin is
        unknown or a required option is missing.
    """
    loading.register_auth_conf_options(conf, GROUP)
    try:
        auth = loading.load_auth_from_conf_options(conf, GROUP)
    except ks_exc.ClientException as exc:
        raise ReconcileError(
            f'unusable service credentials in [{GROUP}]: {exc}') from None
    if auth is None:
        raise ReconcileError(
            f'no service credentials: set [{GROUP}] auth_type (password), '
            'auth_url, username, password, project_name and the user and '
            'project domains')
    options = conf[GROUP]
    verify: bool | str = (False if options.insecure
                          else options.cafile or True)
    cert = ((options.certfile, options.keyfile)
            if options.certfile and options.keyfile else None)
    return ks_session.Session(auth=auth, verify=verify, cert=cert,
                              timeout=conf.pods.timeout,
                              app_name='trio2o-reconcile')


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
    :raises ReconcileError: the service user cannot authenticate, or
        ``[pods] endpoint_overrides`` is malformed.
    :raises PluginLoadError: an enabled service cannot be loaded.
    :raises trio2o_core.db.exceptions.DBError: the gateway database
        fails.
    """
    cutoff = _cutoff(older_than)
    endpoints = _EndpointFinder(_service_access(session), conf)
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
        session = service_session(conf)
    except ReconcileError as exc:
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


def _service_access(session: ks_session.Session) -> access.AccessInfo:
    """Return the service user's token and catalog.

    :raises ReconcileError: Keystone refuses the user or cannot be
        reached.
    """
    try:
        return session.auth.get_access(session)
    except ks_exc.ClientException as exc:
        raise ReconcileError(
            f'the service user of [{GROUP}] cannot authenticate: '
            f'{exc}') from None


class _EndpointFinder:
    """Endpoints of pods: ``[pods] endpoint_overrides`` first, then the
    service user's catalog."""

    def __init__(self, access_info: access.AccessInfo,
                 conf: cfg.ConfigOpts) -> None:
        try:
            self._overrides = PodConnector.parse_overrides(
                conf.pods.endpoint_overrides)
        except ValueError as exc:
            raise ReconcileError(f'[pods] {exc}') from None
        self._catalog = access_info.service_catalog.catalog
        self._interface = conf.pods.interface
        self._project = access_info.project_name
        self._pod_tokens: dict[str, federation.PodToken] = {}

    def getter(self, session: ks_session.Session, pod: Pod,
               service: str) -> Callable[[str, Sequence[tuple[str, str]]],
                                         PodReply]:
        """The ``get`` reading ``service`` of ``pod`` as the service user
        (with a token of the pod's own Keystone for a ``k2k`` pod).

        :raises PodUnreadable: no endpoint, or no token of a ``k2k`` pod.
        """
        if not federation.is_k2k(pod):
            return _getter(session, pod.name,
                           self.url(pod.name, service, self._catalog))
        if pod.id not in self._pod_tokens:
            exchange = federation.TokenExchange(
                None, session.session, timeout=session.timeout or 10.0)
            try:
                self._pod_tokens[pod.id] = exchange.exchange(
                    session.auth, pod, self._project)
            except PluginError as exc:
                raise PodUnreadable(exc.operator_message) from None
        pod_token = self._pod_tokens[pod.id]
        return _getter(session, pod.name,
                       self.url(pod.name, service, pod_token.catalog, True),
                       pod_token.token)

    def url(self, region: str, service: str,
            catalog: Sequence[Mapping[str, Any]], own: bool = False) -> str:
        """Return the URL of ``service`` (an SDK service name) in the pod
        named ``region`` from ``catalog`` (``own``: the pod's own, where
        any region will do).

        :raises PodUnreadable: neither an override nor the catalog names
            one.
        """
        types = SERVICE_TYPES[service]
        for service_type in types:
            url = self._overrides.get((region, service_type))
            if url:
                return url
        url = (catalog_url(catalog, types, self._interface, region)
               or (catalog_url(catalog, types, self._interface, None)
                   if own else None))
        if not url:
            raise PodUnreadable(f'no {self._interface} {service} endpoint '
                                f'of region {region} in the service '
                                'catalog')
        return str(url)


def _getter(session: ks_session.Session, pod_name: str, endpoint: str,
            token: str | None = None
            ) -> Callable[[str, Sequence[tuple[str, str]]], PodReply]:
    """The ``get`` a reconciler reads a pod with, as the service user
    (with ``token`` when given, else the session's).

    Its calls raise :class:`PodUnreadable` when the pod cannot be
    reached.
    """
    base = endpoint.rstrip('/')
    headers = {'Accept': 'application/json'}
    if token is not None:
        headers['X-Auth-Token'] = token

    def get(path: str, params: Sequence[tuple[str, str]]) -> PodReply:
        try:
            reply: PodReply = session.get(
                base + path, params=list(params), raise_exc=False,
                headers=headers, authenticated=token is None)
        except ks_exc.ClientException as exc:
            raise PodUnreadable(f'cannot reach {pod_name}: {exc}') from None
        return reply
    return get


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
