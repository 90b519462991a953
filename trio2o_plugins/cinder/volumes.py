"""``/v3/volumes``: create, show, update and delete volumes, and their
user metadata.

A new volume goes to the pod holding its source (snapshot, source
volume, backup or group) or, otherwise, to the pod the scheduler picks
for its availability zone; the zone is sent as the pod names it, and a
volume type id of another pod as the type's name. Every
call on an existing volume goes to the pod its routing names.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import create_with_retry
from trio2o_core.plugin import validate
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder import types
from trio2o_plugins.cinder.schemas import volumes as schemas

#: body key naming a source -> its kind and Cinder's name for it in the
#: same-zone message
SOURCES: tuple[tuple[str, routed.Kind, str], ...] = (
    ('snapshot_id', routed.SNAPSHOT, 'snapshot'),
    ('source_volid', routed.VOLUME, 'source volume'),
    ('backup_id', routed.BACKUP, 'backup'),
    ('group_id', routed.GROUP, 'group'),
)
PREFIX = '/v3/volumes/{volume_id}'


def check_zone(gateway: Gateway, zone: str | None) -> None:
    """Accept no zone or a zone the users know.

    :raises BadRequest: ``Availability zone '<zone>' is invalid.``
    """
    if zone is not None and zone not in {
            pod.az_name for pod in gateway.list_pods()}:
        raise BadRequest(f"Availability zone '{zone}' is invalid.")


def name_zone_for_pod(record: dict[str, Any], pod: Pod) -> None:
    """Write a record's ``availability_zone`` as ``pod`` names it (drop
    it if the pod names none)."""
    if record.get('availability_zone'):
        if pod.pod_az_name:
            record['availability_zone'] = pod.pod_az_name
        else:
            del record['availability_zone']


def _hints(body: dict[str, Any]) -> dict[str, Any]:
    hints = body.get('OS-SCH-HNT:scheduler_hints')
    return hints if isinstance(hints, dict) else {}


class VolumesController:
    """One volume at a time: create, show, update, delete, metadata."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route(PREFIX, {'GET': self.show, 'PUT': self.update,
                           'DELETE': self.delete}),
            Route(PREFIX + '/metadata', {'GET': self.metadata,
                                         'POST': self.metadata,
                                         'PUT': self.metadata}),
            Route(PREFIX + '/metadata/{key}', {'GET': self.metadata,
                                               'PUT': self.metadata,
                                               'DELETE': self.metadata}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /volumes``: create in the source's pod or the scheduled
        one, with the crash-safe routing of :class:`PendingCreate`
        (``volume_request`` row first, then the volume ``creating`` ->
        ``active``). A pod's refusal leaves nothing routed.

        :raises BadRequest: the body fails Cinder's schema, or names an
            unknown zone or a zone other than the source's.
        :raises NotFound: the source is not known to the gateway.
        :raises PodUnavailable: the pod cannot be reached.
        """
        body = request.json_object()
        validate(schemas.CREATE, body)
        pod, scheduled = self._place(request, body)
        pod, answer = create_with_retry(
            pod, scheduled,
            lambda target: self._send(request, body, target),
            lambda refused: self._schedule(request, body, refused=refused))
        return self.service.pods(request).relay(pod, answer)

    def _send(self, request: webob.Request, body: dict[str, Any],
              pod: Pod) -> PodReply:
        forwarded = copy.deepcopy(body)
        volume = forwarded['volume']
        name_zone_for_pod(volume, pod)
        pods = self.service.pods(request)
        if isinstance(volume.get('volume_type'), str):
            volume['volume_type'] = types.pod_type(
                pods, self.gateway.list_pods(), pod, volume['volume_type'])
        pending = PendingCreate(self.gateway, request, pod,
                                routed.VOLUME.resource_type)
        return pending.send(
            lambda: pods.call(pod, 'POST', 'volumes', json=forwarded),
            lambda made: [made['volume']['id']], reconciled=True)

    def _place(self, request: webob.Request,
               body: dict[str, Any]) -> tuple[Pod, bool]:
        """The pod of the first source named, else the scheduler's pick
        for the zone (the default zone when none is named); say whether
        the scheduler picked it by the project's binding.

        :raises BadRequest: unknown zone, or not the source's zone.
        :raises NotFound: unknown source.
        :raises PodUnavailable: the source's pod is down.
        """
        volume = body['volume']
        zone = volume.get('availability_zone') or None
        check_zone(self.gateway, zone)
        for key, kind, name in SOURCES:
            if volume.get(key):
                routing = kind.routing(self.gateway, request, volume[key])
                if zone is not None and zone != routing.pod.az_name:
                    raise BadRequest(
                        'Invalid input received: Volume must be in the '
                        f'same availability zone as the {name}')
                return routing.pod, False
        # a pod the hints name is no binding's: no retry elsewhere
        return (self._schedule(request, body),
                self.gateway.hinted_pod(request.context,
                                        _hints(body)) is None)

    def _schedule(self, request: webob.Request, body: dict[str, Any],
                  refused: Pod | None = None) -> Pod:
        """The scheduler's pick for the volume (see
        ``Gateway.schedule``); candidates must have its volume type."""
        volume = body['volume']
        kind = volume.get('volume_type')
        pods = self.service.pods(request)
        answered: dict[str, bool] = {}

        def offers(pod: Pod) -> bool:
            # Cinder shows a type by id only: a name is looked up in the
            # list of the types the caller may use
            try:
                answer = pods.call(pod, 'GET', 'types')
            except PodUnavailable:
                return False
            answered[pod.id] = answer.status_code == 200 and any(
                kind in (found.get('id'), found.get('name'))
                for found in answer.json().get('volume_types', []))
            return answered[pod.id]

        size = volume.get('size')
        try:
            return self.gateway.schedule(
                request.context, routed.VOLUME.resource_type,
                volume.get('availability_zone') or None,
                volume_type=kind if isinstance(kind, str) else None,
                size=size if isinstance(size, int) else None,
                image=volume.get('imageRef'), hints=_hints(body),
                offers=offers if isinstance(kind, str) else None,
                refused=refused)
        except NoValidPod:
            if answered and not any(answered.values()):
                # as Cinder answers a type it does not have
                named = '' if types.is_id(str(kind)) else 'with name '
                raise NotFound(f'Volume type {named}{kind} could not be '
                               'found.') from None
            raise

    def show(self, request: webob.Request,
             volume_id: str) -> webob.Response:
        """``GET /volumes/{id}``; a volume its pod no longer has loses
        its routing and answers 404."""
        return self._forward(request, volume_id)

    def update(self, request: webob.Request,
               volume_id: str) -> webob.Response:
        """``PUT /volumes/{id}``: the pod checks the body."""
        return self._forward(request, volume_id,
                             body=request.json_body_or_none())

    def delete(self, request: webob.Request,
               volume_id: str) -> webob.Response:
        """``DELETE /volumes/{id}`` (see :func:`routed.delete`)."""
        return routed.delete(self.service.pods(request), self.gateway,
                             request, routed.VOLUME, volume_id)

    def metadata(self, request: webob.Request, volume_id: str,
                 key: str | None = None) -> webob.Response:
        """``/volumes/{id}/metadata[/{key}]``: forwarded to the pod."""
        return routed.metadata(self.service.pods(request), self.gateway,
                               request, routed.VOLUME, volume_id, key)

    def _forward(self, request: webob.Request, volume_id: str,
                 suffix: str = '', body: Any = None) -> webob.Response:
        routing = routed.VOLUME.routing(self.gateway, request, volume_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, routed.VOLUME, routing, suffix, body)
