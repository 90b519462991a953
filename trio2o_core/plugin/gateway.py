"""What the core offers plugins: pods, routing, scheduling, pod calls."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import Protocol

import webob
from oslo_config import cfg
from oslo_context import context as o_context

from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing


class Gateway(Protocol):
    """The core services a service driver is built with.

    Every method may block on the database or a pod; none holds a lock
    across a pod call.
    """

    conf: cfg.ConfigOpts

    def list_pods(self, enabled_only: bool = True) -> list[Pod]:
        """Return the registered pods, ordered by name."""

    def get_pod(self, pod_id: str) -> Pod:
        """Return one pod; raise ``NotFound`` when it does not exist."""

    def lookup(self, context: o_context.RequestContext, top_id: str,
               resource_type: str, deleted: bool = False) -> Routing | None:
        """Return the routing of ``top_id`` visible to the caller; the
        routing of a resource gone from its pod (``deleted``) only when
        ``deleted`` is true.

        A routing of another project is returned only to an admin.
        """

    def record(self, context: o_context.RequestContext, top_id: str,
               resource_type: str, pod: Pod, bottom_id: str | None = None,
               status: str = 'creating') -> Routing:
        """Write a routing row for the caller's project.

        :raises Conflict: ``top_id`` is already routed.
        """

    def route_created(self, context: o_context.RequestContext, pod: Pod,
                      resource_type: str, top_ids: Iterable[str],
                      request_id: str, request_type: str) -> None:
        """Route each of ``top_ids`` to ``pod`` for the caller's project,
        ``active``, and remove the request row (``request_id``,
        ``request_type``), at once: a crash leaves both changes or
        neither.

        :raises Conflict: one of ``top_ids`` is routed already (nothing
            changed, the request row stays for the reconciler).
        """

    def set_status(self, top_id: str, resource_type: str,
                   status: str) -> None:
        """Change a routing's status (``creating|active|deleting``, or
        ``deleted``: the resource is gone from its pod, the row kept for
        the calls served on deleted resources until it is pruned)."""

    def forget(self, top_id: str, resource_type: str) -> None:
        """Delete a routing row; a missing row is not an error."""

    def hand_over(self, top_id: str, resource_type: str,
                  project_id: str) -> None:
        """Give a routing to another project (its pod gave the resource
        to that project: a volume transfer accepted); a missing row is
        not an error."""

    def list_routings(self, context: o_context.RequestContext,
                      resource_type: str, all_projects: bool = False,
                      pod_id: str | None = None) -> list[Routing]:
        """Return the caller's routings of one type (every project's
        when ``all_projects``), ``deleted`` ones included (see
        ``Routing.status``)."""

    def routed_pods(self, context: o_context.RequestContext,
                    resource_type: str) -> set[str]:
        """Return the ids of the pods holding a routing (any status) of
        the caller's project of one type."""

    def routed_ids(self, context: o_context.RequestContext,
                   resource_type: str, top_ids: Iterable[str]) -> set[str]:
        """Return those of ``top_ids`` routed (any status) to the
        caller's project as ``resource_type``: a list checks each batch
        a pod answers instead of reading all the project's routings."""

    def schedule(self, context: o_context.RequestContext,
                 resource_type: str, az_name: str | None, *,
                 flavor: str | None = None, image: str | None = None,
                 volume_type: str | None = None, size: int | None = None,
                 hints: Mapping[str, Any] | None = None,
                 offers: Callable[[Pod], bool] | None = None,
                 refused: Pod | None = None) -> Pod:
        """Pick the pod for a new resource of the caller's project: the
        pod the scheduler hints name, else the project's binding in the
        zone, made or moved by the configured policy.

        ``flavor``, ``image``, ``volume_type``, ``size`` and ``hints`` are
        told to the policy; ``offers(pod)`` says whether a pod has the
        flavor or volume type (asked only when a pod is being chosen).
        ``refused`` is a pod that just refused this create for want of
        room or quota: the binding moves away from it and the pod to
        retry in is returned.

        :raises NoValidPod: no enabled, up, non-draining pod serves
            ``az_name`` (and offers what is asked).
        :raises Forbidden: a ``trio2o:pod`` hint from a non-admin.
        :raises BadRequest: hints naming an unknown pod or resource.
        :raises PodUnavailable: the hinted pod is down.
        """

    def hinted_pod(self, context: o_context.RequestContext,
                   hints: Mapping[str, Any] | None) -> Pod | None:
        """Return the pod the scheduler hints name (``trio2o:pod``,
        ``trio2o:same_pod_as``), or None.

        :raises Forbidden: ``trio2o:pod`` from a non-admin.
        :raises BadRequest: an unknown pod or resource, or hints naming
            different pods.
        """

    def pod_caller(self, request: webob.Request,
                   api: ServiceAPI) -> PodCaller:
        """Return the pod caller of ``request`` for the service ``api``
        describes (drivers use ``ServiceDriver.pods``)."""

    def max_version(self, request: webob.Request,
                    api: ServiceAPI) -> APIVersion:
        """Return the highest microversion of ``api`` that every enabled
        pod serves, capped by the service's ``max_microversion`` option.

        :raises ValueError: ``api`` has no microversions.
        """

    def is_down(self, pod: Pod) -> bool:
        """Whether the pod is currently considered unreachable."""

    def enforce(self, context: o_context.RequestContext, rule: str,
                target: Mapping[str, Any] | None = None) -> None:
        """Check a policy rule.

        :raises Forbidden: the policy denies ``rule``.
        """

    def load_plugins(self, group: str,
                     enabled: Iterable[str] | None) -> dict[str, Any]:
        """Load and instantiate the named entry points of ``group``.

        ``enabled=None`` loads every installed one.

        :raises PluginLoadError: a name is missing, broken, duplicated or
            has the wrong ``plugin_api``.
        """
