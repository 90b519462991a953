"""``/v3/attachments`` (3.27+): an attachment is made in its volume's pod
and routed (``attachment`` rows); show, update (the connector), delete
and ``os-complete`` (3.44) go to that pod.

A volume is attached in its own pod: an attachment naming a server the
gateway routes to another pod is refused, as the compute side refuses
it. Cinder's attachment records show neither project nor creation time,
so a create whose answer is lost cannot be settled later: its request
row is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import forget_if_gone
from trio2o_core.plugin import validate
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder.schemas import attachments as schemas

PREFIX = '/v3/attachments/{attachment_id}'
#: the microversion that brought the API, and ``os-complete``
MIN_VERSION = '3.27'
COMPLETE_VERSION = '3.44'
#: the routing type of Nova's servers
SERVER = 'server'


class AttachmentsController:
    """One attachment at a time: create, show, update, delete,
    complete."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route(PREFIX, {'GET': self.forward, 'PUT': self.forward,
                           'DELETE': self.delete}),
            Route(PREFIX + '/action', {'POST': self.action}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /attachments``: made in the volume's pod, the new id
        routed there (:class:`PendingCreate`).

        :raises NotFound: below 3.27, or the volume is unknown.
        :raises BadRequest: no ``attachment.volume_uuid`` uuid, or a
            server of another pod.
        :raises PodUnavailable: the volume's pod cannot be reached.
        """
        routed.require(request, MIN_VERSION)
        body = request.json_object()
        validate(schemas.CREATE, body)
        attachment = body['attachment']
        volume = routed.VOLUME.routing(self.gateway, request,
                                       attachment['volume_uuid'])
        server_id = attachment.get('instance_uuid')
        if server_id:
            server = self.gateway.lookup(request.context, server_id, SERVER)
            if server is not None and server.pod.id != volume.pod.id:
                raise BadRequest(
                    f'Invalid volume: Volume {volume.top_id} cannot be '
                    f'attached to server {server_id}: a volume cannot be '
                    'attached to a server of another pod.')
        pods = self.service.pods(request)
        pending = PendingCreate(self.gateway, request, volume.pod,
                                routed.ATTACHMENT.resource_type)
        answer = pending.send(
            lambda: pods.call(volume, 'POST', 'attachments', json=body),
            lambda made: [made['attachment']['id']])
        return pods.relay(volume.pod, answer)

    def forward(self, request: webob.Request,
                attachment_id: str) -> webob.Response:
        """``GET``/``PUT /attachments/{id}``, forwarded to its pod (which
        checks the connector of an update)."""
        routed.require(request, MIN_VERSION)
        body = request.json_body_or_none() if request.method == 'PUT' \
            else None
        routing = routed.ATTACHMENT.routing(self.gateway, request,
                                            attachment_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, routed.ATTACHMENT, routing, '', body)

    def delete(self, request: webob.Request,
               attachment_id: str) -> webob.Response:
        """``DELETE /attachments/{id}``: the pod deletes it before it
        answers, so an accepted delete (or a 404) removes the routing."""
        routed.require(request, MIN_VERSION)
        routing = routed.ATTACHMENT.routing(self.gateway, request,
                                            attachment_id)
        pods = self.service.pods(request)
        answer = pods.call(routing, 'DELETE',
                           routed.ATTACHMENT.path(routing))
        if answer.status_code < 300:
            self.gateway.forget(routing.top_id, routing.resource_type)
        else:
            forget_if_gone(self.gateway, routing, answer)
        return pods.relay(routing.pod, answer)

    def action(self, request: webob.Request,
               attachment_id: str) -> webob.Response:
        """``POST /attachments/{id}/action`` (``os-complete``, 3.44),
        forwarded; the pod judges the body."""
        routed.require(request, COMPLETE_VERSION)
        routing = routed.ATTACHMENT.routing(self.gateway, request,
                                            attachment_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, routed.ATTACHMENT, routing, '/action',
                              request.json_body_or_none())
