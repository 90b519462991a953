"""Reconcile the routing table with the pods after a crash or a lost
answer.

Every write that spans the gateway database and a pod leaves a row the
gateway can check against the pod (DESIGN.md §4). Server calls of the
compute driver leave three kinds of rows when they are cut short:

- a ``server`` row ``creating``: the pod made the server, the gateway
  stopped before marking it ``active``;
- a ``server`` row ``deleting``: the pod was asked to delete the server and
  the gateway has not yet seen it gone (or the pod refused and the gateway
  stopped before setting the row back);
- a ``server_request`` row: written before a create call, removed once the
  servers made are routed; one left behind means the pod may hold servers
  of that project, made after the row, that no row points to.

:func:`reconcile` asks every enabled pod, as the gateway's service user
(``[keystone_authtoken]``), about the rows older than a threshold, so that
calls in flight are never touched, and settles each row from the pod's
answer. Rows are changed only if they still have the status they were
read with: a row the gateway changes meanwhile is left to it.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import logging
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from keystoneauth1 import access
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session
from keystonemiddleware import auth_token  # noqa: F401
from oslo_config import cfg

from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import ResourceRouting
from trio2o_core.db.models import RoutingStatus
from trio2o_core.db.models import utcnow
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.connector import catalog_url

LOG = logging.getLogger(__name__)

#: the configuration group holding the service user's credentials; the
#: import of keystonemiddleware's auth_token registers its options
#: (cafile, insecure...), so it reads the same here as in trio2o-api
GROUP = 'keystone_authtoken'
#: routing types written by the compute driver's server calls
SERVER = 'server'
SERVER_REQUEST = 'server_request'
#: rows younger than this many seconds are left alone by default
DEFAULT_OLDER_THAN = 300.0
#: servers asked for per page of a pod's server list
PAGE_SIZE = 1000


class ReconcileError(Exception):
    """The reconciler cannot run: no usable service credentials, a
    service user Keystone refuses, or malformed pod options. Nothing
    was changed."""


class PodError(Exception):
    """A pod could not be asked: no compute endpoint, no connection, or
    an answer other than the one expected."""


class Action(enum.StrEnum):
    """What the reconciler does to one routing row."""

    #: a ``creating`` row whose server exists: marked ``active``
    ACTIVATED = 'activated'
    #: a ``creating`` row whose server does not exist: removed
    REMOVED_CREATING = 'removed_creating'
    #: a ``deleting`` row whose server is gone: removed
    REMOVED_DELETED = 'removed_deleted'
    #: a ``deleting`` row whose server stays and is not being deleted:
    #: set back to ``active``
    RESTORED = 'restored'
    #: a server of a request row that no row points to: routed ``active``
    ADOPTED = 'adopted'
    #: a request row, once its servers are routed: removed
    REMOVED_REQUEST = 'removed_request'
    #: an ``active`` row whose server is gone: removed (``prune_missing``)
    PRUNED = 'pruned'


#: the status a row must still have for an action on it to be made
_EXPECTED_STATUS = {
    Action.ACTIVATED: RoutingStatus.CREATING,
    Action.REMOVED_CREATING: RoutingStatus.CREATING,
    Action.REMOVED_DELETED: RoutingStatus.DELETING,
    Action.RESTORED: RoutingStatus.DELETING,
    Action.REMOVED_REQUEST: RoutingStatus.CREATING,
    Action.PRUNED: RoutingStatus.ACTIVE,
}


@dataclasses.dataclass(frozen=True)
class Change:
    """One change to the routing table.

    ``routing_id`` is the row changed, None for :attr:`Action.ADOPTED`
    (the row is new).
    """

    action: Action
    resource_type: str
    top_id: str
    project_id: str
    routing_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready values."""
        return {'action': self.action.value,
                'resource_type': self.resource_type,
                'top_id': self.top_id, 'project_id': self.project_id}


@dataclasses.dataclass
class PodReport:
    """What the reconciler did (or would do) in one pod.

    ``skipped`` says why the pod was not reconciled; its rows are then
    unchanged.
    """

    name: str
    changes: list[Change] = dataclasses.field(default_factory=list)
    skipped: str | None = None

    def counts(self) -> dict[str, int]:
        """Return how many changes of each action, every action named."""
        return {action.value: sum(change.action is action
                                  for change in self.changes)
                for action in Action}

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values."""
        return {'counts': self.counts(), 'skipped': self.skipped,
                'changes': [change.as_dict() for change in self.changes]}


@dataclasses.dataclass
class Summary:
    """The outcome of one run: a report per enabled pod, by pod name.

    With ``dry_run`` the reports list what would have been done.
    """

    dry_run: bool
    older_than: float
    pods: dict[str, PodReport]

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready values."""
        return {'dry_run': self.dry_run, 'older_than': self.older_than,
                'pods': {name: report.as_dict()
                         for name, report in self.pods.items()}}


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
              conf: cfg.ConfigOpts = CONF) -> Summary:
    """Settle the rows older than ``older_than`` seconds of every
    enabled pod from what the pod says, as the service user of
    ``session`` (who must see every project's servers: the admin role).

    In each pod, listed with ``GET /servers/detail?all_tenants=1``, a
    server counts as gone only when ``GET /servers/{id}`` answers Nova's
    404 ``itemNotFound`` or shows it ``DELETED``:

    - ``server`` ``creating``: the server exists -> ``active``; it is
      gone -> removed.
    - ``server`` ``deleting``: gone -> removed; present and not being
      deleted (task ``deleting``, or ``SOFT_DELETED``) -> ``active``.
    - ``server_request``: every server of the row's project created at or
      after the row (to the second, as Nova tells it) and before the
      threshold that no row points to is routed ``active``; the request
      row is removed.
    - ``server`` ``active``, only with ``prune_missing``: gone -> removed.

    A pod that cannot be asked is skipped, with a warning, and none of
    its rows changes. With ``dry_run`` nothing changes; the summary says
    what would have.

    :raises ValueError: ``older_than`` is negative or not a number.
    :raises ReconcileError: the service user cannot authenticate, or
        ``[pods] endpoint_overrides`` is malformed.
    :raises trio2o_core.db.exceptions.DBError: the gateway database
        fails.
    """
    cutoff = _cutoff(older_than)
    endpoints = _EndpointFinder(_service_access(session), conf)
    rows = db.list_routings(resource_type=SERVER)
    routed = {row.top_id for row in rows}
    rows += db.list_routings(resource_type=SERVER_REQUEST)
    reports = {}
    for pod in db.list_pods(enabled=True):
        due = [row for row in rows if row.pod_id == pod.id
               and _is_due(row, cutoff, prune_missing)]
        report = PodReport(pod.name)
        reports[pod.name] = report
        if not due:
            continue
        try:
            servers = _PodServers(session, pod.name,
                                  endpoints.compute(pod.name))
            report.changes = _plan(due, servers, routed, cutoff)
        except PodError as exc:
            LOG.warning('Pod %s skipped, its routings unchanged: %s',
                        pod.name, exc)
            report.skipped = str(exc)
            continue
        if not dry_run:
            report.changes = [change for change in report.changes
                              if _apply(change, pod.id)]
    return Summary(dry_run, older_than, reports)


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
    """Compute endpoints of pods: ``[pods] endpoint_overrides`` first,
    then the service user's catalog."""

    def __init__(self, access_info: access.AccessInfo,
                 conf: cfg.ConfigOpts) -> None:
        try:
            self._overrides = PodConnector.parse_overrides(
                conf.pods.endpoint_overrides)
        except ValueError as exc:
            raise ReconcileError(f'[pods] {exc}') from None
        self._catalog = access_info.service_catalog.catalog
        self._interface = conf.pods.interface

    def compute(self, region: str) -> str:
        """Return the compute URL of the pod named ``region``.

        :raises PodError: neither an override nor the catalog names one.
        """
        url = self._overrides.get((region, 'compute'))
        if url:
            return url
        url = catalog_url(self._catalog, ('compute',), self._interface,
                          region)
        if not url:
            raise PodError(f'no {self._interface} compute endpoint of '
                           f'region {region} in the service catalog')
        return str(url)


class _PodServers:
    """One pod's servers of every project, as its compute API tells
    them: listed once, then looked up one by one when not listed."""

    def __init__(self, session: ks_session.Session, pod_name: str,
                 endpoint: str) -> None:
        self._session = session
        self._pod_name = pod_name
        self._endpoint = endpoint.rstrip('/')
        self._listed: dict[str, dict[str, Any]] | None = None

    def listed(self) -> Mapping[str, dict[str, Any]]:
        """Return every server the pod lists, by id, paging through.

        :raises PodError: a page cannot be had.
        """
        if self._listed is None:
            listed: dict[str, dict[str, Any]] = {}
            marker = None
            while True:
                params = [('all_tenants', '1'), ('limit', str(PAGE_SIZE))]
                if marker is not None:
                    params.append(('marker', marker))
                status, body = self._get('/servers/detail', params)
                page = body.get('servers') if body is not None else None
                if status != 200 or not isinstance(page, list):
                    raise self._unexpected('/servers/detail', status)
                listed.update((server['id'], server) for server in page)
                if not page or not body.get('servers_links'):
                    break
                marker = page[-1]['id']
            self._listed = listed
        return self._listed

    def find(self, server_id: str) -> dict[str, Any] | None:
        """Return the server, or None when the pod says it is gone.

        :raises PodError: the pod cannot be asked.
        """
        server = self.listed().get(server_id)
        if server is None:
            path = f'/servers/{server_id}'
            status, body = self._get(path, [])
            if status == 404 and body is not None and 'itemNotFound' in body:
                return None
            server = body.get('server') if body is not None else None
            if status != 200 or not isinstance(server, dict):
                raise self._unexpected(path, status)
        return None if _is_deleted(server) else server

    def _get(self, path: str, params: list[tuple[str, str]]
             ) -> tuple[int, dict[str, Any] | None]:
        """Return the status and JSON object (None if the body is not
        one) of the pod's answer to ``GET path``.

        :raises PodError: no connection.
        """
        try:
            response = self._session.get(
                self._endpoint + path, params=params, raise_exc=False,
                headers={'Accept': 'application/json'})
        except ks_exc.ClientException as exc:
            raise PodError(f'cannot reach {self._pod_name}: {exc}') from None
        return response.status_code, _json_object(response)

    def _unexpected(self, path: str, status: int) -> PodError:
        return PodError(f'{self._pod_name} answered GET {path} with HTTP '
                        f'{status} and no expected body')


def _json_object(response: Any) -> dict[str, Any] | None:
    """Return the answer's body if it is a JSON object, else None."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _is_due(row: ResourceRouting, cutoff: datetime.datetime,
            prune_missing: bool) -> bool:
    """Whether the row is one to settle: last changed before ``cutoff``
    and not ``active`` (unless ``prune_missing``)."""
    if row.status == RoutingStatus.ACTIVE and not prune_missing:
        return False
    return (row.updated_at or row.created_at) <= cutoff


def _plan(rows: Iterable[ResourceRouting], servers: _PodServers,
          routed: set[str], cutoff: datetime.datetime) -> list[Change]:
    """Return the changes that settle ``rows`` of one pod; ``routed``
    (every routed server id) gains the servers adopted.

    :raises PodError: the pod cannot be asked.
    """
    changes: list[Change] = []
    for row in rows:
        if row.resource_type == SERVER_REQUEST:
            changes += _plan_request(row, servers, routed, cutoff)
            continue
        action = _server_action(row, servers.find(row.top_id))
        if action is not None:
            changes.append(Change(action, row.resource_type, row.top_id,
                                  row.project_id, row.id))
    return changes


def _server_action(row: ResourceRouting,
                   server: Mapping[str, Any] | None) -> Action | None:
    """Return what to do to a ``server`` row, given its server (None:
    gone), or None to leave it."""
    if row.status == RoutingStatus.CREATING:
        return Action.ACTIVATED if server else Action.REMOVED_CREATING
    if row.status == RoutingStatus.DELETING:
        if server is None:
            return Action.REMOVED_DELETED
        return None if _is_being_deleted(server) else Action.RESTORED
    return Action.PRUNED if server is None else None


def _plan_request(row: ResourceRouting, servers: _PodServers,
                  routed: set[str],
                  cutoff: datetime.datetime) -> list[Change]:
    """Return the adoption of the unrouted servers a request row may
    have made, then the row's removal; ``routed`` gains the adopted.

    Nova tells creation times to the second, so the row's time is cut to
    the second, and a server counts only when it was made in a second
    before the one of ``cutoff``: a younger one may be a call's in
    flight.

    :raises PodError: the pod cannot be asked.
    """
    since = row.created_at.replace(microsecond=0)
    until = cutoff.replace(microsecond=0)
    changes = []
    for server in servers.listed().values():
        created = _created(server)
        if (server.get('tenant_id') != row.project_id
                or server['id'] in routed or _is_deleted(server)
                or created is None or not since <= created < until):
            continue
        routed.add(server['id'])
        changes.append(Change(Action.ADOPTED, SERVER, server['id'],
                              row.project_id))
    changes.append(Change(Action.REMOVED_REQUEST, row.resource_type,
                          row.top_id, row.project_id, row.id))
    return changes


def _created(server: Mapping[str, Any]) -> datetime.datetime | None:
    """Return the server's ``created`` as aware UTC, None if unreadable."""
    try:
        created = datetime.datetime.fromisoformat(server['created'])
    except (KeyError, TypeError, ValueError):
        return None
    if created.tzinfo is None:
        return created.replace(tzinfo=datetime.UTC)
    return created


def _is_deleted(server: Mapping[str, Any]) -> bool:
    return (server.get('status') == 'DELETED'
            or server.get('OS-EXT-STS:vm_state') == 'deleted')


def _is_being_deleted(server: Mapping[str, Any]) -> bool:
    return (server.get('OS-EXT-STS:task_state') == 'deleting'
            or server.get('status') == 'SOFT_DELETED')


def _apply(change: Change, pod_id: str) -> bool:
    """Make ``change`` unless the gateway got there first (the row has
    another status now, or is gone; the server is routed already);
    return whether it was made.

    :raises trio2o_core.db.exceptions.DBError: the database fails.
    """
    if change.action is Action.ADOPTED:
        try:
            db.create_routing(change.top_id, SERVER, pod_id,
                              change.project_id,
                              status=RoutingStatus.ACTIVE)
        except db_exc.Duplicate:
            return False
        return True
    expected = _EXPECTED_STATUS[change.action].value
    if change.action in (Action.ACTIVATED, Action.RESTORED):
        made = db.set_routing_status_if(change.routing_id, expected,
                                        RoutingStatus.ACTIVE.value)
    else:
        made = db.delete_routing_if(change.routing_id, expected)
    if not made:
        LOG.info('Routing %s changed meanwhile; left as it is',
                 change.routing_id)
    return made
