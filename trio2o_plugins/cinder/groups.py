"""``/v3/groups`` (3.13+) and ``/v3/group_snapshots`` (3.14+).

A group is made in the pod the scheduler picks for its availability
zone, as a volume is (so a group and the volumes made into it share a
pod), or, made from a source (``create-from-src``), in the source's
pod. A group snapshot is made in its group's pod. Both are routed
(``group``, ``group_snapshot`` rows); every other call goes to the pod
the routing names. Cinder's group records show no project before 3.58,
so a create whose answer is lost drops its request row.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import validate
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder import volumes
from trio2o_plugins.cinder.schemas import groups as schemas

GROUP_VERSION = '3.13'
SNAPSHOT_VERSION = '3.14'
GROUP = '/v3/groups/{group_id}'
SNAPSHOT = '/v3/group_snapshots/{group_snapshot_id}'


class GroupsController:
    """Groups and group snapshots, one at a time."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v3/groups/action', {'POST': self.create_from_source}),
            Route(GROUP, {'GET': self.forward_group,
                          'PUT': self.forward_group}),
            Route(GROUP + '/action', {'POST': self.group_action}),
            Route(SNAPSHOT, {'GET': self.forward_snapshot,
                             'DELETE': self.delete_snapshot}),
            Route(SNAPSHOT + '/action', {'POST': self.snapshot_action}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /groups``: made in the pod the scheduler picks for the
        zone (the default zone when none is named), the zone sent as that
        pod names it; routed as :class:`PendingCreate` routes.

        :raises NotFound: below 3.13.
        :raises BadRequest: a malformed body or an unknown zone.
        :raises NoValidPod: no pod serves the zone.
        """
        routed.require(request, GROUP_VERSION)
        body = request.json_object()
        validate(schemas.CREATE, body)
        zone = body['group'].get('availability_zone') or None
        volumes.check_zone(self.gateway, zone)
        pod = self.gateway.schedule(request.context,
                                    routed.VOLUME.resource_type, zone)
        forwarded = copy.deepcopy(body)
        volumes.name_zone_for_pod(forwarded['group'], pod)
        return self._create(request, pod, routed.GROUP, 'groups', forwarded)

    def create_from_source(self, request: webob.Request) -> webob.Response:
        """``POST /groups/action`` ``create-from-src`` (3.14): made in the
        pod of the group snapshot or source group.

        :raises NotFound: below 3.14, or an unknown source.
        :raises BadRequest: a malformed body (one source must be named).
        """
        routed.require(request, SNAPSHOT_VERSION)
        body = request.json_object()
        validate(schemas.CREATE_FROM_SOURCE, body)
        source = body['create-from-src']
        if source.get('group_snapshot_id'):
            routing = routed.GROUP_SNAPSHOT.routing(
                self.gateway, request, source['group_snapshot_id'])
        else:
            routing = routed.GROUP.routing(self.gateway, request,
                                           source['source_group_id'])
        return self._create(request, routing.pod, routed.GROUP,
                            'groups/action', body)

    def create_snapshot(self, request: webob.Request) -> webob.Response:
        """``POST /group_snapshots`` (3.14): made in the group's pod.

        :raises NotFound: below 3.14, or an unknown group.
        :raises BadRequest: no ``group_snapshot.group_id`` uuid.
        """
        routed.require(request, SNAPSHOT_VERSION)
        body = request.json_object()
        validate(schemas.SNAPSHOT_CREATE, body)
        group = routed.GROUP.routing(self.gateway, request,
                                     body['group_snapshot']['group_id'])
        return self._create(request, group.pod, routed.GROUP_SNAPSHOT,
                            'group_snapshots', body)

    def _create(self, request: webob.Request, pod: Pod, kind: routed.Kind,
                path: str, body: Any) -> webob.Response:
        pods = self.service.pods(request)
        key = kind.collection[:-1]
        pending = PendingCreate(self.gateway, request, pod,
                                kind.resource_type)
        answer = pending.send(
            lambda: pods.call(pod, 'POST', path, json=body),
            lambda made: [made[key]['id']])
        return pods.relay(pod, answer)

    def forward_group(self, request: webob.Request,
                      group_id: str) -> webob.Response:
        """``GET``/``PUT /groups/{id}``, forwarded to its pod (which
        judges the volumes an update adds or removes)."""
        routed.require(request, GROUP_VERSION)
        return self._forward(request, routed.GROUP, group_id)

    def group_action(self, request: webob.Request,
                     group_id: str) -> webob.Response:
        """``POST /groups/{id}/action`` (``delete``, ``reset_status``,
        replication), forwarded; a ``delete`` the pod accepts marks the
        routing ``deleting`` until a later 404 or the reconciler."""
        routed.require(request, GROUP_VERSION)
        return routed.action(self.service.pods(request), self.gateway,
                             request, routed.GROUP, group_id, 'delete')

    def forward_snapshot(self, request: webob.Request,
                         group_snapshot_id: str) -> webob.Response:
        """``GET /group_snapshots/{id}``, forwarded to its pod."""
        routed.require(request, SNAPSHOT_VERSION)
        return self._forward(request, routed.GROUP_SNAPSHOT,
                             group_snapshot_id)

    def delete_snapshot(self, request: webob.Request,
                        group_snapshot_id: str) -> webob.Response:
        """``DELETE /group_snapshots/{id}`` (see :func:`routed.delete`)."""
        routed.require(request, SNAPSHOT_VERSION)
        return routed.delete(self.service.pods(request), self.gateway,
                             request, routed.GROUP_SNAPSHOT,
                             group_snapshot_id)

    def snapshot_action(self, request: webob.Request,
                        group_snapshot_id: str) -> webob.Response:
        """``POST /group_snapshots/{id}/action`` (``reset_status``),
        forwarded."""
        routed.require(request, SNAPSHOT_VERSION)
        return routed.action(self.service.pods(request), self.gateway,
                             request, routed.GROUP_SNAPSHOT,
                             group_snapshot_id)

    def _forward(self, request: webob.Request, kind: routed.Kind,
                 top_id: str) -> webob.Response:
        body = request.json_body_or_none() if request.method == 'PUT' \
            else None
        routing = kind.routing(self.gateway, request, top_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, kind, routing, '', body)
