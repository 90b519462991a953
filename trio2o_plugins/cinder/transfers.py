"""Volume transfers (``/v3/os-volume-transfer``; ``/v3/volume-transfers``
from 3.55): made in the volume's pod and routed there (``transfer``
rows of the giving project); show and delete go to that pod.

Any project holding a transfer's id and key may accept it: the transfer
is found through its routing whatever its project, and accepted in its
pod as the caller. Once the pod has given the volume away, the routings
of the volume and of the snapshots the pod moved with it are handed to
the accepting project, and the transfer's routing is removed (Cinder
deletes an accepted transfer). An accept whose answer is lost leaves the
volume's routing with the giving project.

Lists merge the transfers of the pods holding the caller's (an admin's
``all_tenants``: every enabled pod's), each pod asked with the query's
filters; the order (``sort``, 3.59+; before it, oldest first as Cinder
lists them), ``marker``, ``offset`` and ``limit`` are applied to the
merged list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodRefused
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import Routing
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin import microversion
from trio2o_plugins.cinder import listing
from trio2o_plugins.cinder import routed

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'transfer'
NOT_FOUND = 'Transfer {id} could not be found.'
#: the two spellings of the API, the newer one from 3.55
LEGACY = routed.Kind(RESOURCE_TYPE, 'os-volume-transfer', NOT_FOUND)
CURRENT = routed.Kind(RESOURCE_TYPE, 'volume-transfers', NOT_FOUND)
SUMMARY = ('id', 'name', 'volume_id', 'links')
PAGING = frozenset({'limit', 'marker', 'offset', 'sort', 'sort_key',
                    'sort_dir'})


class TransfersController:
    """Create, list, show, delete and accept volume transfers."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [route for kind in (LEGACY, CURRENT) for route in (
            Route(f'/v3/{kind.collection}', {
                'GET': self._bind(self.list, kind, False),
                'POST': self._bind(self.create, kind)}),
            Route(f'/v3/{kind.collection}/detail',
                  {'GET': self._bind(self.list, kind, True)}),
            Route(f'/v3/{kind.collection}/{{transfer_id}}', {
                'GET': self._bind(self.show, kind),
                'DELETE': self._bind(self.delete, kind)}),
            Route(f'/v3/{kind.collection}/{{transfer_id}}/accept',
                  {'POST': self._bind(self.accept, kind)}))]

    @staticmethod
    def _bind(handler: Callable[..., webob.Response], kind: routed.Kind,
              *args: Any) -> Callable[..., webob.Response]:
        """``handler`` for one spelling, refused below 3.55 for the
        newer one."""
        def bound(request: webob.Request, **params: str) -> webob.Response:
            if kind is CURRENT:
                routed.require(request, '3.55')
            return handler(request, kind, *args, **params)
        bound.__doc__ = handler.__doc__
        return bound

    def create(self, request: webob.Request,
               kind: routed.Kind) -> webob.Response:
        """``POST``: made in the volume's pod and routed there. A body
        naming no volume is the first pod's to judge (Cinder's 400).

        :raises NotFound: the volume is not known to the gateway.
        :raises PodUnavailable: the volume's pod cannot be reached.
        """
        body = request.json_body_or_none()
        pods = self.service.pods(request)
        transfer = body.get('transfer') if isinstance(body, dict) else None
        volume_id = (transfer.get('volume_id')
                     if isinstance(transfer, dict) else None)
        if not isinstance(volume_id, str):
            first = self._first_pod()
            return pods.relay(first, pods.call(first, 'POST',
                                               kind.collection, json=body))
        volume = routed.VOLUME.routing(self.gateway, request, volume_id)
        pending = PendingCreate(self.gateway, request, volume.pod,
                                RESOURCE_TYPE)
        answer = pending.send(
            lambda: pods.call(volume, 'POST', kind.collection, json=body),
            lambda made: [made['transfer']['id']])
        return pods.relay(volume.pod, answer)

    def show(self, request: webob.Request, kind: routed.Kind,
             transfer_id: str) -> webob.Response:
        """``GET /{id}`` in the transfer's pod."""
        routing = kind.routing(self.gateway, request, transfer_id)
        return routed.forward(self.service.pods(request), self.gateway,
                              request, kind, routing)

    def delete(self, request: webob.Request, kind: routed.Kind,
               transfer_id: str) -> webob.Response:
        """``DELETE /{id}`` in the transfer's pod; the routing goes
        with the transfer (Cinder deletes it at once)."""
        routing = kind.routing(self.gateway, request, transfer_id)
        pods = self.service.pods(request)
        answer = pods.call(routing, 'DELETE', kind.path(routing))
        if answer.status_code < 300 or answer.status_code == 404:
            self.gateway.forget(transfer_id, RESOURCE_TYPE)
        return pods.relay(routing.pod, answer)

    def accept(self, request: webob.Request, kind: routed.Kind,
               transfer_id: str) -> webob.Response:
        """``POST /{id}/accept`` in the transfer's pod, by any project;
        the routings of what the pod gave away follow.

        :raises NotFound: no routed transfer has the id.
        :raises PodUnavailable: the transfer's pod cannot be reached.
        """
        body = request.json_body_or_none()
        routing = self._find(request, transfer_id)
        pods = self.service.pods(request)
        answer = pods.call(routing, 'POST', kind.path(routing, '/accept'),
                           json=body)
        if answer.status_code < 300:
            volume_id = answer.json()['transfer']['volume_id']
            self._hand_over(request, pods, routing.pod, volume_id)
            self.gateway.forget(transfer_id, RESOURCE_TYPE)
        return pods.relay(routing.pod, answer)

    def list(self, request: webob.Request, kind: routed.Kind,
             detail: bool) -> webob.Response:
        """``GET [/detail]``: the pods' transfers, one list.

        :raises BadRequest: a sort or paging value Cinder refuses.
        :raises NotFound: a marker not in the list.
        """
        params = dict(request.GET.items())
        if microversion.at_least(request, '3.59'):
            order = listing.sort_order(params)
        else:
            order = listing.sort_order({'sort': 'created_at:asc,id:asc'})
        context = request.context
        all_tenants = context.is_admin and 'all_tenants' in params
        if all_tenants:
            candidates = self.gateway.list_pods()
        else:
            held = {routing.pod.id: routing.pod for routing in
                    self.gateway.list_routings(context, RESOURCE_TYPE)}
            candidates = sorted(held.values(), key=lambda pod: pod.name)
        filters = [(name, value) for name, value in request.GET.items()
                   if name not in PAGING]
        pods = self.service.pods(request)
        gathered = pods.gather(candidates, lambda pod: pods.json(
            pod, f'{kind.collection}/detail', params=filters))
        if gathered.refused:
            first = min(gathered.refused.values(),
                        key=lambda refused: refused.pod.name)
            return pods.relay(first.pod, first.reply)
        records = sorted(
            (pods.translate(pod, record) for pod, body in gathered.items()
             for record in body.get('transfers', [])), key=order.key)
        page, more = _page(records, params, self.gateway.conf.api.max_limit)
        shown = page if detail else [
            {name: record.get(name) for name in SUMMARY} for record in page]
        answer: dict[str, Any] = {'transfers': shown}
        if more and shown:
            answer['transfers_links'] = [{'rel': 'next', 'href': (
                listing.next_link(request, str(shown[-1]['id'])))}]
        response = json_response(answer)
        gathered.mark_partial(response)
        return response

    def _find(self, request: webob.Request, transfer_id: str) -> Routing:
        """The routing of a transfer, whatever its project.

        :raises NotFound: no routed transfer has the id.
        :raises PodUnavailable: its pod is down.
        """
        for routing in self.gateway.list_routings(
                request.context, RESOURCE_TYPE, all_projects=True):
            if routing.top_id == transfer_id:
                if self.gateway.is_down(routing.pod):
                    raise PodUnavailable(routing.pod.name)
                return routing
        raise NotFound(NOT_FOUND.format(id=transfer_id))

    def _hand_over(self, request: webob.Request, pods: PodCaller, pod: Pod,
                   volume_id: str) -> None:
        """Give the routings of the volume and of the snapshots the pod
        moved with it to the caller's project."""
        project = request.context.project_id
        self.gateway.hand_over(volume_id, routed.VOLUME.resource_type,
                               project)
        try:
            moved = pods.json(pod, 'snapshots/detail')
        except (PodRefused, PodUnavailable) as exc:
            LOG.error('Transfer of volume %s accepted in pod %s: its '
                      'snapshots could not be listed (request %s): %s',
                      volume_id, pod.name, pods.request_id, exc)
            return
        for snapshot in moved.get('snapshots', []):
            if snapshot.get('volume_id') == volume_id:
                self.gateway.hand_over(snapshot['id'],
                                       routed.SNAPSHOT.resource_type,
                                       project)

    def _first_pod(self) -> Pod:
        pods = self.gateway.list_pods()
        if not pods:
            raise NotFound('The resource could not be found.')
        return pods[0]


def _page(records: list[dict[str, Any]], params: dict[str, str],
          max_limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The page of ``records`` the paging parameters ask for, and
    whether records follow it.

    :raises BadRequest: a limit or offset that is not a number >= 0.
    :raises NotFound: a marker not in ``records``.
    """
    start = listing.int_param('offset', params['offset']) \
        if 'offset' in params else 0
    if 'marker' in params:
        ids = [record['id'] for record in records]
        if params['marker'] not in ids:
            raise NotFound(f"Marker {params['marker']} could not be found.")
        start += ids.index(params['marker']) + 1
    limit = min(listing.int_param('limit', params['limit']), max_limit) \
        if 'limit' in params else max_limit
    return records[start:start + limit], len(records) > start + limit
