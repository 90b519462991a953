"""Unit-test a plugin without pods, a database or a server.

:class:`FakeGateway` is a :class:`trio2o_core.plugin.Gateway` keeping
pods and routings in memory. Its pod caller is the core's own
(:class:`~trio2o_core.pods.caller.CorePodCaller`: the unreachable rule,
health marking, 5xx rule, href and zone translation, fan-out), with only
the HTTP transport replaced: a call reaches the pod's handler (a
callable taking a :class:`~trio2o_core.testing.fake_pods.PodRequest`)
unless a scripted answer for its method and path is queued (answers and
handlers: :mod:`trio2o_core.testing.fake_pods`). Requests reach a driver
through the core's router with :class:`trio2o_core.testing.client.Client`.

Example::

    gateway = FakeGateway(pods=2)
    gateway.script(gateway.pod(1), 'GET', '/widgets',
                   pod_response(200, {'widgets': []}))   # fake_pods
    client = Client(MyDriver(gateway))   # trio2o_core.testing.client
    assert client.get('/v1/widgets').status == 200
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import requests
import webob
from oslo_config import cfg
from oslo_context import context as o_context

from trio2o_core import loader
from trio2o_core.conf import opts
from trio2o_core.core_gateway import CoreGateway
from trio2o_core.plugin import Conflict
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodGet
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.pods.caller import CorePodCaller
from trio2o_core.pods.fanout import Fanout
from trio2o_core.testing.fake_pods import Answer
from trio2o_core.testing.fake_pods import PodHandler
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fake_pods import refused
from trio2o_core.testing.fake_pods import unscripted

__all__ = ['ADMIN_PROJECT', 'EPOCH', 'GATEWAY_URL', 'OTHER_PROJECT',
           'PROJECT', 'SERVICE_PATHS', 'FakeGateway',
           # also here, where plugin tests have imported it from
           'pod_response']

#: the gateway's URL as clients of :class:`Client` see it
GATEWAY_URL = 'http://gateway.example:19996'
PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
ADMIN_PROJECT = 'admin-project'
#: creation time of the first routing; each next one is a second later
EPOCH = datetime.datetime(2026, 1, 1)
#: a service's endpoint path under a fake pod's root
SERVICE_PATHS = {'compute': '/v2.1', 'block_storage': '/v3', 'image': ''}


class _Serial(Fanout):
    """Runs the calls one after another, in order (reproducible tests);
    ``timeout`` is not applied."""

    def run(self, func: Callable[[Any], Any], keys: Iterable[Any],
            timeout: float | None = None) -> Mapping[Any, Any]:
        results: dict[Any, Any] = {}
        for key in keys:
            try:
                results[key] = func(key)
            except Exception as exc:
                results[key] = exc
        return results


class _Transport:
    """The connector of one request's caller: endpoints of the fake pods
    and a ``send`` that reaches them."""

    def __init__(self, gateway: FakeGateway,
                 context: o_context.RequestContext | None) -> None:
        self.gateway = gateway
        self.context = context
        self.timeout = gateway.conf.pods.timeout

    def endpoint(self, context: Any, pod: Pod, service: str) -> str | None:
        return self.gateway.roots[pod.id] + SERVICE_PATHS[service]

    def send(self, method: str, url: str, *, json: Any = None,
             data: Any = None, params: Any = None,
             headers: Mapping[str, str] | None = None,
             **options: Any) -> requests.Response:
        return self.gateway.deliver(self.context, method, url, json=json,
                                    data=data, params=params,
                                    headers=headers)


def _params(params: Any) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(key), str(value)) for key, value in items]


class FakeGateway(CoreGateway):
    """A :class:`trio2o_core.plugin.Gateway` over fake pods.

    Pod ``N`` (1-based) has id ``pod-N``, name ``PodN``, serves zone
    ``azN`` (inside the pod: ``podN-zone``) and has its root at
    ``http://podN.example:8774``. Pod health is the core's (one failure
    marks a pod down). Routings live in :attr:`routings`; scheduling
    takes the first enabled, up pod of the zone. ``enforce`` denies the
    rules in ``admin_rules`` (and :attr:`denied`) to non-admins and
    records every check in :attr:`enforced`. ``load_plugins`` loads the
    installed entry points unless :attr:`plugins` names the instances of
    a group.

    :param conf: configuration; a fresh one with every option at its
        default when None (change it with ``conf.set_override``).
    """

    def __init__(self, pods: int = 3,
                 admin_rules: Iterable[str] = (),
                 conf: cfg.ConfigOpts | None = None) -> None:
        if conf is None:
            conf = cfg.ConfigOpts()
            for group, options in opts.list_opts():
                # by name: a shared OptGroup would share its overrides
                # with every other fake's configuration
                conf.register_opts(options, group=getattr(group, 'name',
                                                          group))
            conf([], project='trio2o', default_config_files=[])
        super().__init__(conf)
        self._fanout = _Serial()
        self.roots: dict[str, str] = {}
        self.pod_list: list[Pod] = []
        for index in range(1, pods + 1):
            self.add_pod(Pod(f'pod-{index}', f'Pod{index}', f'az{index}',
                             f'pod{index}-zone', None, True),
                         f'http://pod{index}.example:8774')
        self.handlers: dict[str, PodHandler] = {}
        self.scripted: dict[tuple[str, str, str], list[Answer]] = {}
        self.unreachable: set[str] = set()
        self.calls: list[PodRequest] = []
        self.routings: dict[tuple[str, str], Routing] = {}
        self.admin_rules = frozenset(admin_rules)
        self.denied: set[str] = set()
        self.enforced: list[tuple[str, Mapping[str, Any] | None]] = []
        #: every schedule() call: (resource type, zone, placement details)
        self.placements: list[tuple[str, str | None, dict[str, Any]]] = []
        self.plugins: dict[str, Mapping[str, Any]] = {}
        self._clock = itertools.count()

    # set-up

    def add_pod(self, pod: Pod, root: str) -> Pod:
        """Register ``pod`` with its root URL."""
        self.pod_list.append(pod)
        self.roots[pod.id] = root
        return pod

    def pod(self, index: int) -> Pod:
        """Pod ``N`` (1-based, in the order added)."""
        return self.pod_list[index - 1]

    def serve(self, pod: Pod, handler: PodHandler) -> None:
        """Let ``handler`` answer the calls to ``pod``."""
        self.handlers[pod.id] = handler

    def script(self, pod: Pod, method: str, path: str,
               *answers: Answer) -> None:
        """Answer the next calls of ``method`` on ``path`` (as in
        :class:`PodRequest`) in ``pod`` with ``answers`` in turn, the
        last one repeating; an exception is raised by the transport."""
        self.scripted[(pod.id, method, path)] = list(answers)

    def route(self, top_id: str, pod: Pod, project: str = PROJECT,
              resource_type: str = 'server',
              status: str = 'active') -> Routing:
        """Store a routing (bottom id = top id), a second newer than the
        previous one."""
        routing = Routing(top_id, resource_type, top_id, pod, project,
                          status, EPOCH + datetime.timedelta(
                              seconds=next(self._clock)))
        self.routings[(top_id, resource_type)] = routing
        return routing

    def mark_down(self, pod: Pod) -> None:
        """Make the core consider ``pod`` down."""
        for _ in range(self.conf.pods.down_after_failures):
            self.health.failed(pod.id)

    def reader(self, pod: Pod, service: str) -> PodGet:
        """The ``get`` the core's reconciler reads ``pod``'s ``service``
        endpoint (``compute``, ``block_storage`` ...) with: no caller's
        context; a pod that cannot be reached raises
        :class:`PodUnreadable`."""
        base = self.roots[pod.id] + SERVICE_PATHS[service]

        def get(path: str, params: Iterable[tuple[str, str]]) -> PodReply:
            try:
                return self.deliver(None, 'GET', base + path,
                                    params=list(params))
            except requests.ConnectionError as exc:
                raise PodUnreadable(f'cannot reach {pod.name}: {exc}') \
                    from None
        return get

    def calls_to(self, method: str) -> list[PodRequest]:
        """The calls of ``method`` received, in order."""
        return [call for call in self.calls if call.method == method]

    # the transport

    def deliver(self, context: o_context.RequestContext | None,
                method: str, url: str, *, json: Any = None,
                data: Any = None, params: Any = None,
                headers: Mapping[str, str] | None = None
                ) -> requests.Response:
        """Hand one HTTP call to the pod whose root ``url`` is under.

        :raises requests.ConnectionError: the pod is in
            :attr:`unreachable`, or no pod has that root.
        """
        pod = next((p for p in self.pod_list
                    if url.startswith(self.roots[p.id] + '/')
                    or url == self.roots[p.id]), None)
        if pod is None or pod.id in self.unreachable:
            raise refused(url)
        path = url[len(self.roots[pod.id]):]
        for service_path in sorted(SERVICE_PATHS.values(), reverse=True):
            if service_path and path.startswith(service_path):
                path = path[len(service_path):]
                break
        call = PodRequest(pod, method, path or '/', _params(params), json,
                          data, dict(headers or {}), context)
        self.calls.append(call)
        answers = self.scripted.get((pod.id, method, call.path))
        if answers:
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return self.handlers.get(pod.id, unscripted)(call)

    # Gateway

    def list_pods(self, enabled_only: bool = True) -> list[Pod]:
        return sorted((p for p in self.pod_list
                       if p.enabled or not enabled_only),
                      key=lambda pod: pod.name)

    def get_pod(self, pod_id: str) -> Pod:
        for pod in self.pod_list:
            if pod.id == pod_id:
                return pod
        raise NotFound(f'Pod {pod_id} not found.')

    def lookup(self, context: Any, top_id: str, resource_type: str,
               deleted: bool = False) -> Routing | None:
        routing = self.routings.get((top_id, resource_type))
        if routing is None or (routing.project_id != context.project_id
                               and not context.is_admin):
            return None
        if routing.status == 'deleted' and not deleted:
            return None
        return routing

    def record(self, context: Any, top_id: str, resource_type: str,
               pod: Pod, bottom_id: str | None = None,
               status: str = 'creating') -> Routing:
        if (top_id, resource_type) in self.routings:
            raise Conflict(f'{resource_type} {top_id} already exists.')
        return self.route(top_id, pod, context.project_id, resource_type,
                          status)

    def route_created(self, context: Any, pod: Pod, resource_type: str,
                      top_ids: Iterable[str], request_id: str,
                      request_type: str) -> None:
        top_ids = list(top_ids)
        taken = [top_id for top_id in top_ids
                 if (top_id, resource_type) in self.routings]
        if taken:
            raise Conflict(f'{resource_type} {taken[0]} already exists.')
        for top_id in top_ids:
            self.route(top_id, pod, context.project_id, resource_type,
                       'active')
        self.forget(request_id, request_type)

    def set_status(self, top_id: str, resource_type: str,
                   status: str) -> None:
        key = (top_id, resource_type)
        self.routings[key] = dataclasses.replace(self.routings[key],
                                                 status=status)

    def forget(self, top_id: str, resource_type: str) -> None:
        self.routings.pop((top_id, resource_type), None)

    def hand_over(self, top_id: str, resource_type: str,
                  project_id: str) -> None:
        key = (top_id, resource_type)
        if key in self.routings:
            self.routings[key] = dataclasses.replace(
                self.routings[key], project_id=project_id)

    def list_routings(self, context: Any, resource_type: str,
                      all_projects: bool = False,
                      pod_id: str | None = None) -> list[Routing]:
        return [r for (_, kind), r in self.routings.items()
                if kind == resource_type
                and (all_projects or r.project_id == context.project_id)
                and (pod_id is None or r.pod.id == pod_id)]

    def routed_pods(self, context: Any, resource_type: str) -> set[str]:
        return {r.pod.id for r in self.list_routings(context, resource_type)}

    def routed_ids(self, context: Any, resource_type: str,
                   top_ids: Iterable[str]) -> set[str]:
        return set(top_ids) & {
            r.top_id for r in self.list_routings(context, resource_type)}

    def schedule(self, context: Any, resource_type: str,
                 az_name: str | None, **placement: Any) -> Pod:
        self.placements.append((resource_type, az_name, placement))
        refused = placement.get('refused')
        if az_name is None:
            az_name = self.conf.scheduler.default_availability_zone
        in_az = [p for p in self.list_pods()
                 if az_name is None or p.az_name == az_name]
        if not in_az:
            raise NoValidPod('The requested availability zone is not '
                             'available')
        up = [p for p in in_az if not self.is_down(p)
              and (refused is None or p.id != refused.id)]
        if not up:
            raise NoValidPod('No valid host was found. There are not '
                             'enough hosts available.')
        return up[0]

    def hinted_pod(self, context: Any,
                   hints: Mapping[str, Any] | None) -> Pod | None:
        return None

    def pod_caller(self, request: webob.Request,
                   api: ServiceAPI) -> CorePodCaller:
        return CorePodCaller(
            request, api, _Transport(self, request.environ.get(CONTEXT_KEY)),
            self.health, self._fanout, self.conf.pods.timeout)

    def enforce(self, context: Any, rule: str,
                target: Mapping[str, Any] | None = None) -> None:
        self.enforced.append((rule, target))
        if rule in self.denied or (rule in self.admin_rules
                                   and not context.is_admin):
            raise Forbidden(f"Policy doesn't allow {rule} to be performed.")

    def load_plugins(self, group: str,
                     enabled: Iterable[str] | None) -> dict[str, Any]:
        if group in self.plugins:
            return dict(self.plugins[group])
        return loader.load(group, enabled)
