"""``/v3/backups``: made in the pod of their volume and routed like
volumes (``backup`` rows); show, update, delete, actions, export and
restore go to that pod.

A backup is restored in its own pod: into a volume of that pod, or into
a new volume, which the pod makes and the gateway routes there.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import validate
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder.schemas import backups as schemas

PREFIX = '/v3/backups/{backup_id}'


class BackupsController:
    """One backup at a time: create, show, update, delete, actions,
    export and restore."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v3/backups/import_record', {'POST': self.import_record}),
            Route(PREFIX, {'GET': self.forward, 'PUT': self.forward,
                           'DELETE': self.delete}),
            Route(PREFIX + '/action', {'POST': self.action}),
            Route(PREFIX + '/restore', {'POST': self.restore}),
            Route(PREFIX + '/export_record', {'GET': self.export_record}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /backups``: made in the volume's pod, crash-safe as
        volumes are (:class:`PendingCreate`: the ``backup_request`` row
        first, then the backup ``creating`` -> ``active``; a lost answer
        leaves the request row to the reconciler). A zone (3.51) the
        users know is sent as the pod names it.

        :raises BadRequest: no ``backup.volume_id`` uuid.
        :raises NotFound: the volume is not known to the gateway.
        :raises PodUnavailable: the volume's pod cannot be reached.
        """
        body = request.json_object()
        validate(schemas.CREATE, body)
        volume = routed.VOLUME.routing(self.gateway, request,
                                       body['backup']['volume_id'])
        forwarded = copy.deepcopy(body)
        backup = forwarded['backup']
        if (backup.get('availability_zone') == volume.pod.az_name
                and volume.pod.pod_az_name):
            backup['availability_zone'] = volume.pod.pod_az_name
        pods = self.service.pods(request)
        pending = PendingCreate(self.gateway, request, volume.pod,
                                routed.BACKUP.resource_type)
        answer = pending.send(
            lambda: pods.call(volume, 'POST', 'backups', json=forwarded),
            lambda made: [made['backup']['id']], reconciled=True)
        return pods.relay(volume.pod, answer)

    def import_record(self, request: webob.Request) -> webob.Response:
        """``POST /backups/import_record``: imported into the pod the
        scheduler picks for the default zone (the pod checks the body
        and the admin policy), routed crash-safe as creates are.

        :raises PodUnavailable: the pod cannot be reached.
        """
        body = request.json_body_or_none()
        pod = self.gateway.schedule(request.context,
                                    routed.BACKUP.resource_type, None)
        pods = self.service.pods(request)
        pending = PendingCreate(self.gateway, request, pod,
                                routed.BACKUP.resource_type)
        answer = pending.send(
            lambda: pods.call(pod, 'POST', 'backups/import_record',
                              json=body),
            lambda made: [made['backup']['id']], reconciled=True)
        return pods.relay(pod, answer)

    def forward(self, request: webob.Request,
                backup_id: str) -> webob.Response:
        """``GET``/``PUT /backups/{id}``, forwarded to its pod."""
        body = request.json_body_or_none() if request.method == 'PUT' \
            else None
        return self._forward(request, backup_id, '', body)

    def export_record(self, request: webob.Request,
                      backup_id: str) -> webob.Response:
        """``GET /backups/{id}/export_record``, forwarded to its pod
        (which enforces the admin policy)."""
        return self._forward(request, backup_id, '/export_record', None)

    def _forward(self, request: webob.Request, backup_id: str,
                 suffix: str, body: Any) -> webob.Response:
        routing = routed.BACKUP.routing(self.gateway, request, backup_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, routed.BACKUP, routing, suffix, body)

    def delete(self, request: webob.Request,
               backup_id: str) -> webob.Response:
        """``DELETE /backups/{id}`` (see :func:`routed.delete`)."""
        return routed.delete(self.service.pods(request), self.gateway,
                             request, routed.BACKUP, backup_id)

    def action(self, request: webob.Request,
               backup_id: str) -> webob.Response:
        """``POST /backups/{id}/action`` (``os-reset_status``,
        ``os-force_delete``; see :func:`routed.action`)."""
        return routed.action(self.service.pods(request), self.gateway,
                             request, routed.BACKUP, backup_id)

    def restore(self, request: webob.Request,
                backup_id: str) -> webob.Response:
        """``POST /backups/{id}/restore`` in the backup's pod. Without a
        ``volume_id`` the pod makes a new volume, routed to that pod
        (crash-safe, as volume creates are).

        :raises BadRequest: a malformed body, or a volume of another pod
            (``Invalid volume: ...``).
        :raises NotFound: the backup or the volume is unknown.
        :raises PodUnavailable: the backup's pod cannot be reached.
        """
        body = request.json_object()
        validate(schemas.RESTORE, body)
        routing = routed.BACKUP.routing(self.gateway, request, backup_id)
        pods = self.service.pods(request)
        volume_id = (body['restore'] or {}).get('volume_id')

        def call() -> Any:
            return pods.call(routing, 'POST',
                             routed.BACKUP.path(routing, '/restore'),
                             json=body)
        if volume_id:
            volume = routed.VOLUME.routing(self.gateway, request, volume_id)
            if volume.pod.id != routing.pod.id:
                raise BadRequest(
                    f'Invalid volume: Volume {volume_id} is not in the pod '
                    f'of backup {backup_id}: a backup can only be restored '
                    'into a volume of its own pod.')
            answer = call()
        else:
            pending = PendingCreate(self.gateway, request, routing.pod,
                                    routed.VOLUME.resource_type)
            answer = pending.send(
                call, lambda made: [made['restore']['volume_id']],
                reconciled=True)
        return pods.relay(routing.pod, answer)
