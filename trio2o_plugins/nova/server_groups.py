"""Server groups: created in the pod the project's servers go to (a server
naming the group in its hints is sent there) and routed by id."""

from __future__ import annotations

from collections.abc import Sequence

import webob

from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import forget_if_gone
from trio2o_core.plugin import parse_int
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.server_placement import GROUP_RESOURCE


class ServerGroupsController(PodResources):
    """``/os-server-groups``, routed by id."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-server-groups', {'GET': self.list_groups,
                                             'POST': self.create_group}),
            Route('/v2.1/os-server-groups/{group_id}',
                  {'GET': self.on_group, 'DELETE': self.on_group}),
        ]

    def create_group(self, request: webob.Request) -> webob.Response:
        """``POST /os-server-groups``: create in the pod the project's
        servers without a zone go to, and route the group."""
        context = request.context
        body = request.json_body_or_none()
        pod = self.gateway.schedule(
            context, forward.RESOURCE,
            self.gateway.conf.scheduler.default_availability_zone)
        pending = PendingCreate(self.gateway, request, pod, GROUP_RESOURCE)
        answer = pending.send(
            lambda: self._call(request, pod, 'POST', 'os-server-groups',
                               body),
            lambda made: [made['server_group']['id']])
        return self._answer(request, pod, answer)

    def list_groups(self, request: webob.Request) -> webob.Response:
        """``GET /os-server-groups``: the routed groups of the caller's
        project (every project's for an admin with ``all_projects``),
        gathered from their pods; ``offset``/``limit`` apply to the
        whole list."""
        context = request.context
        params = [(k, v) for k, v in forward.query(request)
                  if k not in ('limit', 'offset')]
        all_projects = (context.is_admin
                        and 'all_projects' in request.GET)
        routings = self.gateway.list_routings(context, GROUP_RESOURCE,
                                              all_projects=all_projects)
        routed = {r.top_id for r in routings}
        pods = list({r.pod.id: r.pod for r in routings}.values())
        caller, gathered, refused = self._gathered(
            request, pods, 'os-server-groups', params)
        if refused is not None:
            return refused
        groups = []
        for pod, answer in sorted(gathered.items(),
                                  key=lambda pair: pair[0].name):
            groups += [caller.translate(pod, group)
                       for group in answer.json().get('server_groups', [])
                       if group.get('id') in routed]
        offset = parse_int('offset', request.GET.get('offset', '0'))
        limit = parse_int('limit', request.GET.get('limit',
                                                   str(len(groups))))
        return forward.merged({
            'server_groups': groups[offset:offset + limit]}, gathered)

    def on_group(self, request: webob.Request,
                 group_id: str) -> webob.Response:
        """``GET``/``DELETE /os-server-groups/{id}`` in the group's pod;
        a delete (or a group its pod no longer has) drops the routing.

        :raises NotFound: the group is not routed for the caller.
        :raises PodUnavailable: its pod is down.
        """
        routing = self.gateway.lookup(request.context, group_id,
                                      GROUP_RESOURCE)
        if routing is None:
            raise NotFound(f'Instance group {group_id} could not be '
                           'found.')
        if self.gateway.is_down(routing.pod):
            raise PodUnavailable(routing.pod.name)
        answer = self._call(request, routing.pod, request.method,
                            f'os-server-groups/{routing.bottom_id}')
        if not forget_if_gone(self.gateway, routing, answer) and (
                request.method == 'DELETE' and answer.status_code < 300):
            self.gateway.forget(routing.top_id, GROUP_RESOURCE)
        return self._answer(request, routing.pod, answer)
