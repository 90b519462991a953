"""The core services behind every service driver (one per process)."""

from __future__ import annotations

import functools
import logging
import threading
import time
import types
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import webob
from oslo_config import cfg

from trio2o_core import loader
from trio2o_core import policies
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import RoutingStatus
from trio2o_core.metrics import PodMetrics
from trio2o_core.plugin import exceptions
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing
from trio2o_core.pods import federation
from trio2o_core.pods.caller import CorePodCaller
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.fanout import Fanout
from trio2o_core.pods.health import PodHealth
from trio2o_core.pods.versions import PodVersions
from trio2o_core.scheduler.capacity import PodCapacity
from trio2o_core.scheduler.hints import hinted_pod
from trio2o_core.scheduler.manager import Placement
from trio2o_core.scheduler.manager import PlacementState
from trio2o_core.scheduler.manager import Scheduler

LOG = logging.getLogger(__name__)
#: seconds the enabled pods' list behind the maximum microversion is kept
POD_LIST_TTL = 5.0


def to_pod(row: Any) -> Pod:
    """Return the plugin-facing record of a ``pods`` row."""
    return Pod(id=row.id, name=row.name, az_name=row.az_name,
               pod_az_name=row.pod_az_name, dc_name=row.dc_name,
               enabled=bool(row.enabled), weight=row.weight,
               draining=bool(row.draining), identity=row.identity,
               service_provider=row.service_provider)


def placement_state(project_id: str, az_name: str) -> PlacementState:
    """Return every pod, as the plugins see them, and the project's
    active binding in the zone (None if none), read in one query."""
    rows, binding = db.pods_and_active_binding(project_id, az_name)
    return [to_pod(row) for row in rows], binding


class CoreGateway:
    """Implements :class:`trio2o_core.plugin.Gateway` on the database,
    the pod connector, the fan-out pool and the scheduler."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf
        self.health = PodHealth(conf.pods.down_after_failures,
                                conf.pods.retry_down_after)
        self.connector = PodConnector(
            interface=conf.pods.interface,
            overrides=PodConnector.parse_overrides(
                conf.pods.endpoint_overrides),
            timeout=conf.pods.timeout)
        self.connector.federation = federation.from_conf(conf)
        self._fanout = Fanout(conf.pods.fanout_workers)
        self.versions = PodVersions()
        self.metrics = (PodMetrics(self.health, self.list_pods)
                        if conf.metrics.enabled else None)
        self._services: dict[str, ServiceDriver] = {}
        self._scheduler: Scheduler | None = None
        self._pod_list: tuple[list[Pod], float] | None = None
        #: per ``enabled_only``: the pods' rows last read, and their Pods
        self._pod_records: dict[bool, tuple[list[Any], list[Pod]]] = {}
        self._lock = threading.Lock()

    # services

    def service(self, name: str) -> ServiceDriver:
        """Return the driver of an enabled service, loading it once.

        :raises PluginLoadError: not enabled, or fails to load.
        """
        with self._lock:
            if name not in self._services:
                if name not in self.conf.enabled_services:
                    raise exceptions.PluginLoadError(
                        f'service {name!r} is not in [DEFAULT] '
                        'enabled_services')
                self._services.update(loader.load(
                    loader.SERVICES, [name], self))
            return self._services[name]

    def load_plugins(self, group: str,
                     enabled: Iterable[str] | None) -> dict[str, Any]:
        return loader.load(group, enabled)

    # pods and routing

    def list_pods(self, enabled_only: bool = True) -> list[Pod]:
        rows = db.list_pods(enabled=True if enabled_only else None,
                            timestamps=False)
        # read on every list and create: the rows are compared with the
        # last ones read, and their Pods (immutable) made again only
        # when a row has changed
        last = self._pod_records.get(enabled_only)
        if last is not None and last[0] == rows:
            return list(last[1])
        pods = [to_pod(row) for row in rows]
        self._pod_records[enabled_only] = (rows, pods)
        return list(pods)

    def get_pod(self, pod_id: str) -> Pod:
        try:
            return to_pod(db.get_pod(pod_id))
        except db_exc.NotFound:
            raise exceptions.NotFound(f'Pod {pod_id} not found.') from None

    def lookup(self, context: Any, top_id: str,
               resource_type: str, deleted: bool = False) -> Routing | None:
        try:
            row, pod = db.get_routing_and_pod(top_id, resource_type)
        except db_exc.NotFound:
            return None
        if row['project_id'] != context.project_id and not context.is_admin:
            return None
        if row['status'] == RoutingStatus.DELETED and not deleted:
            return None
        return Routing(row['top_id'], row['resource_type'], row['bottom_id'],
                       to_pod(types.SimpleNamespace(**pod)),
                       row['project_id'], row['status'], row['created_at'],
                       row['pod_project_id'])

    def record(self, context: Any, top_id: str, resource_type: str,
               pod: Pod, bottom_id: str | None = None,
               status: str = 'creating') -> Routing:
        try:
            row = db.create_routing(top_id, resource_type, pod.id,
                                    context.project_id, bottom_id=bottom_id,
                                    status=status,
                                    pod_project_id=self._pod_project(
                                        context, pod))
        except db_exc.Duplicate:
            raise exceptions.Conflict(
                f'{resource_type} {top_id} already exists.') from None
        return Routing(row.top_id, row.resource_type, row.bottom_id, pod,
                       row.project_id, row.status, row.created_at,
                       row.pod_project_id)

    def _pod_project(self, context: Any, pod: Pod) -> str | None:
        """The caller's project inside a ``k2k`` pod (None for a shared
        one)."""
        if federation.is_k2k(pod) and self.connector.federation:
            return self.connector.federation.token(context, pod).project_id
        return None

    def route_created(self, context: Any, pod: Pod, resource_type: str,
                      top_ids: Iterable[str], request_id: str,
                      request_type: str) -> None:
        top_ids = list(top_ids)
        try:
            db.route_created(request_id, request_type, top_ids,
                             resource_type, pod.id, context.project_id,
                             pod_project_id=self._pod_project(context, pod))
        except db_exc.Duplicate:
            raise exceptions.Conflict(
                f'{resource_type} {", ".join(top_ids)} already '
                'routed.') from None

    def set_status(self, top_id: str, resource_type: str,
                   status: str) -> None:
        if status not in ('active', 'deleting', 'deleted'):
            raise ValueError(f'cannot set routing status {status!r}')
        db.set_routing_status(top_id, resource_type, status)

    def forget(self, top_id: str, resource_type: str) -> None:
        db.forget_routing(top_id, resource_type)

    def hand_over(self, top_id: str, resource_type: str,
                  project_id: str) -> None:
        try:
            db.set_routing_project(
                db.get_routing_by_top_id(top_id, resource_type).id,
                project_id)
        except db_exc.NotFound:
            pass

    def list_routings(self, context: Any, resource_type: str,
                      all_projects: bool = False,
                      pod_id: str | None = None) -> list[Routing]:
        project = None if all_projects else context.project_id
        rows = db.list_routing_rows(project_id=project, pod_id=pod_id,
                                    resource_type=resource_type)
        pods = {p.id: p for p in self.list_pods(enabled_only=False)}
        return [Routing(row['top_id'], row['resource_type'],
                        row['bottom_id'], pods[row['pod_id']],
                        row['project_id'], row['status'], row['created_at'],
                        row['pod_project_id'])
                for row in rows if row['pod_id'] in pods]

    def routed_pods(self, context: Any, resource_type: str) -> set[str]:
        return db.routed_pod_ids(context.project_id, resource_type)

    def routed_ids(self, context: Any, resource_type: str,
                   top_ids: Iterable[str]) -> set[str]:
        return db.routed_top_ids(context.project_id, resource_type, top_ids)

    # scheduling

    def scheduler(self) -> Scheduler:
        """Return the process's scheduler, loading the policy once.

        :raises PluginLoadError: the policy is missing or broken.
        """
        with self._lock:
            if self._scheduler is None:
                name = self.conf.scheduler.policy
                policy = loader.load(loader.SCHEDULER_POLICIES, [name])
                self._scheduler = Scheduler(
                    policy[name], placement_state, self.is_down,
                    self._capacity())
            return self._scheduler

    def _capacity(self) -> PodCapacity | None:
        options = self.conf.scheduler
        if options.capacity_source != 'hypervisors':
            return None
        # here, not at the top: it imports keystonemiddleware
        from trio2o_core import reconcile_access
        return PodCapacity(
            lambda: reconcile_access.service_session(self.conf),
            self.conf.pods.interface, options.capacity_refresh_interval,
            options.capacity_max_age)

    def schedule(self, context: Any, resource_type: str,
                 az_name: str | None, *, flavor: str | None = None,
                 image: str | None = None, volume_type: str | None = None,
                 size: int | None = None,
                 hints: Mapping[str, Any] | None = None,
                 offers: Callable[[Pod], bool] | None = None,
                 refused: Pod | None = None) -> Pod:
        if az_name is None:
            az_name = self.conf.scheduler.default_availability_zone
        placement = Placement(
            context.project_id, resource_type, az_name, flavor=flavor,
            image=image, volume_type=volume_type, size=size,
            hints=dict(hints or {}), offers=offers, refused=refused,
            pinned=None if refused else self.hinted_pod(context, hints))
        return self.scheduler().select(placement)

    def hinted_pod(self, context: Any,
                   hints: Mapping[str, Any] | None) -> Pod | None:
        return hinted_pod(self, context, hints)

    # pods over HTTP

    def pod_caller(self, request: webob.Request,
                   api: ServiceAPI) -> CorePodCaller:
        return CorePodCaller(request, api, self.connector, self.health,
                             self._fanout, self.conf.pods.timeout,
                             self.metrics)

    def max_version(self, request: webob.Request,
                    api: ServiceAPI) -> APIVersion:
        spec = api.microversions
        if spec is None:
            raise ValueError(f'{api.catalog_service} has no microversions')
        cap = self.conf[spec.config_group].max_microversion
        caller = (functools.partial(self.pod_caller, request, api)
                  if CONTEXT_KEY in request.environ else None)
        return self.versions.maximum(
            spec, self._pods_for_versions(),
            APIVersion.parse(cap) if cap else None, caller)

    def _pods_for_versions(self) -> list[Pod]:
        """The enabled pods, read at most every :data:`POD_LIST_TTL`
        seconds: the maximum microversion needs no fresher list (each
        pod's own maximum is trusted for minutes)."""
        now = time.monotonic()
        cached = self._pod_list
        if cached is None or cached[1] <= now:
            cached = (self.list_pods(), now + POD_LIST_TTL)
            self._pod_list = cached
        return cached[0]

    def is_down(self, pod: Pod) -> bool:
        return self.health.is_down(pod.id)

    def enforce(self, context: Any, rule: str,
                target: Mapping[str, Any] | None = None) -> None:
        policies.authorize(context, rule, target)


_GATEWAY: CoreGateway | None = None
_GATEWAY_LOCK = threading.Lock()


def get_gateway() -> CoreGateway:
    """Return the process's gateway, built from ``CONF`` on first use."""
    global _GATEWAY
    with _GATEWAY_LOCK:
        if _GATEWAY is None:
            _GATEWAY = CoreGateway(CONF)
        return _GATEWAY


def reset_gateway() -> None:
    """Forget the process's gateway (tests, configuration reload)."""
    global _GATEWAY
    with _GATEWAY_LOCK:
        _GATEWAY = None
