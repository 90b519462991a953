"""``/v3/snapshots``: made in the pod of their volume, then routed like
volumes (``snapshot`` rows); show, update, delete, metadata and actions
go to that pod."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import validate
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder.schemas import volumes as schemas

PREFIX = '/v3/snapshots/{snapshot_id}'


class SnapshotsController:
    """One snapshot at a time: create, show, update, delete, metadata,
    actions."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route(PREFIX, {'GET': self.forward, 'PUT': self.forward,
                           'DELETE': self.delete}),
            Route(PREFIX + '/action', {'POST': self.action}),
            Route(PREFIX + '/metadata', {'GET': self.metadata,
                                         'POST': self.metadata,
                                         'PUT': self.metadata}),
            Route(PREFIX + '/metadata/{key}', {'GET': self.metadata,
                                               'PUT': self.metadata,
                                               'DELETE': self.metadata}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /snapshots``: made in the volume's pod, routed as
        volumes are (:class:`PendingCreate`).

        :raises BadRequest: no ``snapshot.volume_id`` (uuid or null).
        :raises NotFound: the volume is not known to the gateway (a null
            one is Cinder's ``Volume None could not be found.``).
        :raises PodUnavailable: the volume's pod cannot be reached.
        """
        body = request.json_object()
        validate(schemas.SNAPSHOT_CREATE, body)
        volume = routed.VOLUME.routing(self.gateway, request,
                                       str(body['snapshot']['volume_id']))
        pods = self.service.pods(request)
        pending = PendingCreate(self.gateway, request, volume.pod,
                                routed.SNAPSHOT.resource_type)
        answer = pending.send(
            lambda: pods.call(volume, 'POST', 'snapshots', json=body),
            lambda made: [made['snapshot']['id']], reconciled=True)
        return pods.relay(volume.pod, answer)

    def forward(self, request: webob.Request,
                snapshot_id: str) -> webob.Response:
        """``GET``/``PUT /snapshots/{id}``, forwarded to its pod."""
        body = request.json_body_or_none() if request.method == 'PUT' \
            else None
        return self._forward(request, snapshot_id, '', body)

    def delete(self, request: webob.Request,
               snapshot_id: str) -> webob.Response:
        """``DELETE /snapshots/{id}`` (see :func:`routed.delete`)."""
        return routed.delete(self.service.pods(request), self.gateway,
                             request, routed.SNAPSHOT, snapshot_id)

    def action(self, request: webob.Request,
               snapshot_id: str) -> webob.Response:
        """``POST /snapshots/{id}/action`` (see :func:`routed.action`)."""
        return routed.action(self.service.pods(request), self.gateway,
                             request, routed.SNAPSHOT, snapshot_id)

    def metadata(self, request: webob.Request, snapshot_id: str,
                 key: str | None = None) -> webob.Response:
        """``/snapshots/{id}/metadata[/{key}]``, forwarded to its pod."""
        return routed.metadata(self.service.pods(request), self.gateway,
                               request, routed.SNAPSHOT, snapshot_id, key)

    def _forward(self, request: webob.Request, snapshot_id: str,
                 suffix: str, body: Any) -> webob.Response:
        routing = routed.SNAPSHOT.routing(self.gateway, request,
                                          snapshot_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, routed.SNAPSHOT, routing, suffix,
                              body)
