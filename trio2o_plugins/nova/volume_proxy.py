"""The compute API's volume and snapshot proxy (``/os-volumes``,
``/os-snapshots``, before 2.36): each pod's Nova proxies to its own
Cinder, so the gateway sends every call to the pod of the volume or
snapshot.

Volumes and snapshots are routed as the block-storage API routes them
(routing types ``volume`` and ``snapshot``), so either API reaches what
the other made. A new volume goes to the pod of its snapshot, else to
the pod the scheduler picks for its zone (the binding volumes and
servers of a project share); a new snapshot to its volume's pod. Lists
merge the pods' records of the project's routed ids, newest first, and
take Nova's ``offset`` and ``limit`` over the merged list. From 2.36 the
calls go to the first pod, whose 404 is Nova's.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import Routing
from trio2o_core.plugin import forget_if_gone
from trio2o_core.plugin import microversion
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources

#: the first version without the proxy
REMOVED_IN = '2.36'
#: Nova's most records in one answer (``[api] max_limit``)
MAX_LIMIT = 1000


@dataclasses.dataclass(frozen=True)
class Proxied:
    """One proxied kind: its routing type, its collection and body key,
    Nova's 404 message, and the body field naming the routed resource a
    new one is made from (and that resource's routing type)."""

    resource_type: str
    collection: str
    key: str
    not_found: str
    source: str
    source_type: str


VOLUMES = Proxied('volume', 'os-volumes', 'volume',
                  'Volume {id} could not be found.', 'snapshot_id',
                  'snapshot')
SNAPSHOTS = Proxied('snapshot', 'os-snapshots', 'snapshot',
                    'Snapshot {id} could not be found.', 'volume_id',
                    'volume')


def limited(items: Sequence[Any], params: Mapping[str, str]) -> list[Any]:
    """``items`` cut by ``offset`` and ``limit`` as Nova cuts a list.

    :raises BadRequest: either is not a positive integer.
    """
    bounds = {}
    for name, default in (('offset', 0), ('limit', MAX_LIMIT)):
        try:
            bounds[name] = int(params.get(name, default))
        except ValueError:
            raise BadRequest(f'{name} param must be an integer') from None
        if bounds[name] < 0:
            raise BadRequest(f'{name} param must be positive')
    limit = min(MAX_LIMIT, bounds['limit'] or MAX_LIMIT)
    return list(items[bounds['offset']:bounds['offset'] + limit])


class VolumeProxyController(PodResources):
    """``/os-volumes`` and ``/os-snapshots``."""

    def routes(self) -> Sequence[Route]:
        routes = []
        for kind in (VOLUMES, SNAPSHOTS):
            prefix = '/v2.1/' + kind.collection
            routes += [
                Route(prefix, {'GET': self._bind(self.list, kind),
                               'POST': self._bind(self.create, kind)}),
                Route(prefix + '/detail',
                      {'GET': self._bind(self.list, kind)}),
                Route(prefix + '/{item_id}',
                      {'GET': self._bind(self.one, kind),
                       'DELETE': self._bind(self.delete, kind)}),
            ]
        return routes

    @staticmethod
    def _bind(method: Any, kind: Proxied) -> Any:
        def handler(request: webob.Request, **kwargs: str) -> Any:
            return method(request, kind, **kwargs)
        return handler

    def list(self, request: webob.Request,
             kind: Proxied) -> webob.Response:
        """``GET /os-volumes[/detail]``, ``/os-snapshots[/detail]``: the
        pods' records of the project's routed ids, newest first. With a
        trailing slash (an empty id), the first pod answers, as Nova
        does (404)."""
        if (microversion.at_least(request, REMOVED_IN)
                or request.path_info.endswith('/')):
            return self.first_pod(request)
        params = dict(forward.query(request))
        allowed: dict[str, set[str]] = {}
        for routing in self.gateway.list_routings(request.context,
                                                  kind.resource_type):
            allowed.setdefault(routing.pod.id, set()).add(routing.top_id)
        pods = [pod for pod in self.gateway.list_pods()
                if pod.id in allowed]
        path = request.path_info.split('/v2.1/', 1)[1]
        caller, gathered, refused = self._gathered(request, pods, path,
                                                   params=[])
        if refused is not None:
            return refused
        records = [caller.translate(pod, record)
                   for pod, answer in gathered.items()
                   for record in answer.json().get(kind.key + 's', [])
                   if record.get('id') in allowed[pod.id]]
        records.sort(key=lambda record: (str(record.get('createdAt')),
                                         str(record.get('id'))),
                     reverse=True)
        return forward.merged({kind.key + 's': limited(records, params)},
                              gathered)

    def create(self, request: webob.Request,
               kind: Proxied) -> webob.Response:
        """``POST /os-volumes`` or ``/os-snapshots`` in the pod of the
        source named (snapshot, volume), else the scheduled one; routed
        as the block-storage API routes its creates.

        :raises BadRequest: an unknown availability zone.
        :raises NotFound: the source is not known to the gateway.
        :raises PodUnavailable: the pod cannot be reached.
        """
        if microversion.at_least(request, REMOVED_IN):
            return self.first_pod(request)
        body = request.json_body_or_none()
        sent = copy.deepcopy(body)
        record = sent.get(kind.key) if isinstance(sent, dict) else None
        record = record if isinstance(record, dict) else {}
        pod = self._place(request, kind, record)
        pending = PendingCreate(self.gateway, request, pod,
                                kind.resource_type)
        caller = forward.pods(self.gateway, request)
        answer = pending.send(
            lambda: caller.call(pod, 'POST', kind.collection, json=sent),
            lambda made: [made[kind.key]['id']], reconciled=True)
        return caller.relay(pod, answer)

    def _place(self, request: webob.Request, kind: Proxied,
               record: dict[str, Any]) -> Pod:
        """The source's pod, else the scheduler's pick for the zone
        (written in ``record`` as the pod names it, or left out when the
        pod names none)."""
        source = record.get(kind.source)
        if isinstance(source, str) and source:
            routing = self.gateway.lookup(request.context, source,
                                          kind.source_type)
            if routing is None:
                raise NotFound(
                    (SNAPSHOTS if kind is VOLUMES else VOLUMES
                     ).not_found.format(id=source))
            if self.gateway.is_down(routing.pod):
                raise PodUnavailable(routing.pod.name)
            return routing.pod
        zone = record.get('availability_zone') or None
        if zone is not None and zone not in {
                pod.az_name for pod in self.gateway.list_pods()}:
            raise BadRequest(f"Availability zone '{zone}' is invalid.")
        volume_type, size = record.get('volume_type'), record.get('size')
        pod = self.gateway.schedule(
            request.context, kind.resource_type, zone,
            volume_type=volume_type if isinstance(volume_type, str) else None,
            size=size if isinstance(size, int) else None)
        if zone is not None and pod.pod_az_name:
            record['availability_zone'] = pod.pod_az_name
        elif zone is not None:
            del record['availability_zone']
        return pod

    def one(self, request: webob.Request, kind: Proxied,
            item_id: str) -> webob.Response:
        """``GET /os-volumes/{id}`` or ``/os-snapshots/{id}`` from its
        pod; one its pod no longer has loses its routing."""
        if microversion.at_least(request, REMOVED_IN):
            return self.first_pod(request)
        routing = self._routing(request, kind, item_id)
        return self._forward(request, kind, routing)

    def delete(self, request: webob.Request, kind: Proxied,
               item_id: str) -> webob.Response:
        """``DELETE`` in its pod: the routing is ``deleting`` once the
        pod accepts (a later 404 or the reconciler removes it), and
        stays ``active`` when the pod refuses.

        :raises NotFound: unknown id.
        :raises PodUnavailable: the pod cannot be reached.
        """
        if microversion.at_least(request, REMOVED_IN):
            return self.first_pod(request)
        routing = self._routing(request, kind, item_id)
        response = self._forward(request, kind, routing)
        if response.status_code < 300:
            self.gateway.set_status(routing.top_id, kind.resource_type,
                                    'deleting')
        return response

    def _routing(self, request: webob.Request, kind: Proxied,
                 item_id: str) -> Routing:
        routing = self.gateway.lookup(request.context, item_id,
                                      kind.resource_type)
        if routing is None:
            raise NotFound(kind.not_found.format(id=item_id))
        if self.gateway.is_down(routing.pod):
            raise PodUnavailable(routing.pod.name)
        return routing

    def _forward(self, request: webob.Request, kind: Proxied,
                 routing: Routing) -> webob.Response:
        caller = forward.pods(self.gateway, request)
        answer = caller.call(routing, request.method,
                             f'{kind.collection}/{routing.bottom_id}',
                             params=[])
        forget_if_gone(self.gateway, routing, answer)
        return caller.relay(routing.pod, answer)
