"""Host aggregates (admin): one name over the pods, hosts in their pod.

An aggregate made through the gateway is made in every enabled pod with
the same name (Nova keeps aggregate names unique), each pod giving it an
id of its own. The gateway shows one aggregate per name: the id, times
and metadata of the first pod (by name) holding it, and the hosts of
every pod holding it, each named ``<host>@<pod name>`` as services and
hypervisors name them. An id is resolved to the name it is shown for,
then to each pod's own id; an id no aggregate is shown with goes to the
first pod as given, whose answer (Nova's 404, 400 or 403) is the
client's.

Writes of the aggregate (create, update, metadata) go to every pod
holding it, all or none (:meth:`PodResources.every_pod_or_none`); a
delete goes to the pods holding hosts first, so Nova's refusal to delete
a non-empty aggregate comes before anything is deleted. ``add_host`` and
``remove_host`` go to the host's pod only. The gateway's availability
zones are its pods: an aggregate cannot set one (Nova's 400), as a zone
inside a pod would take its hosts out of the zone the gateway sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Conflict
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import PodWrite
from trio2o_plugins.nova.pod_resources import host_in
from trio2o_plugins.nova.pod_resources import pod_path

PREFIX = '/v2.1/os-aggregates/{aggregate_id}'
ZONE = 'availability_zone'
NO_ZONE = ('An aggregate cannot set an availability zone: the zones are '
           'the pods of the gateway.')
#: an aggregate's record in each pod holding it, in pod order
Found = list[tuple[Pod, dict[str, Any]]]


def _path(aggregate_id: Any, suffix: str = '') -> str:
    return f'os-aggregates/{aggregate_id}{suffix}'


def _no_zone(values: Any) -> None:
    """:raises BadRequest: ``values`` set an availability zone."""
    if isinstance(values, Mapping) and values.get(ZONE) is not None:
        raise BadRequest(NO_ZONE)


def shown(found: Found, answer: tuple[Pod, dict[str, Any]] | None = None
          ) -> dict[str, Any]:
    """The aggregate as the gateway shows it, from each pod's record
    (``answer``, a pod's fresh record, replaces that pod's)."""
    records = [answer if answer is not None and pod.id == answer[0].id
               else (pod, record) for pod, record in found]
    hosts = [host_in(host, pod) for pod, record in records
             for host in record.get('hosts') or ()]
    return {**records[0][1], 'hosts': hosts}


class AggregatesController(PodResources):
    """``/os-aggregates``, its actions and each aggregate."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-aggregates', {'GET': self.list,
                                          'POST': self.create}),
            Route(PREFIX, {'GET': self.show, 'PUT': self.update,
                           'DELETE': self.delete}),
            Route(PREFIX + '/action', {'POST': self.action}),
        ]

    def list(self, request: webob.Request) -> webob.Response:
        """``GET /os-aggregates``: one aggregate per name over the up
        pods."""
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), 'os-aggregates', params=[])
        if refused is not None:
            return refused
        by_name = self._by_name(gathered.items())
        return forward.merged({'aggregates': [
            caller.translate(found[0][0], shown(found))
            for found in by_name.values()]}, gathered)

    def show(self, request: webob.Request,
             aggregate_id: str) -> webob.Response:
        """``GET /os-aggregates/{id}``."""
        found = self._resolve(request, aggregate_id, every_pod=False)
        if isinstance(found, webob.Response):
            return found
        return self._shown(request, found)

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /os-aggregates``: made in every enabled pod, or none;
        the first pod's answer (and id) is the client's.

        :raises BadRequest: the body sets an availability zone.
        :raises PodUnavailable: a pod is down or stops answering.
        """
        body = request.json_body_or_none()
        if isinstance(body, Mapping):
            _no_zone(body.get('aggregate'))

        def delete(answer: PodReply) -> list[PodWrite]:
            made = answer.json()['aggregate']['id']
            return [('DELETE', _path(made), None)]

        return self.every_pod_or_none(
            request, ('POST', 'os-aggregates', body), delete)

    def update(self, request: webob.Request,
               aggregate_id: str) -> webob.Response:
        """``PUT /os-aggregates/{id}`` (name) in every pod holding it;
        undone by writing the old name back.

        :raises BadRequest: the body sets an availability zone.
        """
        body = request.json_body_or_none()
        values = body.get('aggregate') if isinstance(body, Mapping) else None
        _no_zone(values)
        found = self._resolve(request, aggregate_id)
        if isinstance(found, webob.Response):
            return found
        ids = {pod.id: record['id'] for pod, record in found}

        def restore(answer: PodReply) -> list[PodWrite]:
            made = answer.json()['aggregate']['id']
            old = next(record for _, record in found
                       if record['id'] == made)
            return [('PUT', _path(made), {'aggregate': {
                'name': old['name']}})]

        answer = self.every_pod_or_none(
            request, lambda pod: ('PUT', _path(ids[pod.id]), body),
            restore, pods=[pod for pod, _ in found])
        return self._updated(request, found, found[0][0], answer)

    def delete(self, request: webob.Request,
               aggregate_id: str) -> webob.Response:
        """``DELETE /os-aggregates/{id}`` in every pod holding it, those
        holding hosts first (Nova refuses a non-empty aggregate); a
        delete is not undone: the first refusal is answered."""
        found = self._resolve(request, aggregate_id)
        if isinstance(found, webob.Response):
            return found
        ordered = sorted(found, key=lambda item: not item[1].get('hosts'))
        answers = []
        for pod, record in ordered:
            answer = self._call(request, pod, 'DELETE',
                                _path(record['id']), params=[])
            if answer.status_code >= 300:
                return self._answer(request, pod, answer)
            answers.append((pod, answer))
        pod, answer = answers[0]
        return self._answer(request, pod, answer)

    def action(self, request: webob.Request,
               aggregate_id: str) -> webob.Response:
        """``POST /os-aggregates/{id}/action``: ``add_host`` and
        ``remove_host`` in the host's pod, ``set_metadata`` in every pod
        holding the aggregate (undone by writing the old values back);
        any other body goes to the first pod holding it, which judges
        it.

        :raises BadRequest: the metadata set an availability zone.
        :raises Conflict: the host's pod does not hold the aggregate.
        """
        body = request.json_body_or_none()
        found = self._resolve(request, aggregate_id)
        if isinstance(found, webob.Response):
            return found
        (name, value), = (body.items() if isinstance(body, Mapping)
                          and len(body) == 1 else [(None, None)])
        if name in ('add_host', 'remove_host') and isinstance(
                value, Mapping) and isinstance(value.get('host'), str):
            return self._host_action(request, found, aggregate_id,
                                     name, value)
        if name == 'set_metadata' and isinstance(value, Mapping):
            _no_zone(value.get('metadata'))
            return self._set_metadata(request, found, body)
        pod, record = found[0]
        answer = self._call(request, pod, 'POST',
                            _path(record['id'], '/action'), body, params=[])
        return self._answer(request, pod, answer)

    # helpers

    def _host_action(self, request: webob.Request, found: Found,
                     aggregate_id: str, action: str,
                     value: Mapping[str, Any]) -> webob.Response:
        host, sep, pod_name = value['host'].rpartition('@')
        target = next((item for item in found
                       if sep and item[0].name == pod_name), None)
        if target is None:
            if sep and any(pod.name == pod_name
                           for pod in self.gateway.list_pods()):
                raise Conflict(f'Aggregate {aggregate_id} is not in pod '
                               f'{pod_name} of host {value["host"]}.')
            target, host = found[0], value['host']
        pod, record = target
        answer = self._call(request, pod, 'POST',
                            _path(record['id'], '/action'),
                            {action: {**value, 'host': host}}, params=[])
        return self._updated(request, found, pod, answer)

    def _set_metadata(self, request: webob.Request, found: Found,
                      body: Any) -> webob.Response:
        ids = {pod.id: record['id'] for pod, record in found}
        keys = list(body['set_metadata'].get('metadata') or {})

        def restore(answer: PodReply) -> list[PodWrite]:
            made = answer.json()['aggregate']['id']
            old = next(record for _, record in found
                       if record['id'] == made).get('metadata') or {}
            return [('POST', _path(made, '/action'), {'set_metadata': {
                'metadata': {key: old.get(key) for key in keys}}})]

        answer = self.every_pod_or_none(
            request, lambda pod: ('POST', _path(ids[pod.id], '/action'),
                                  body), restore,
            pods=[pod for pod, _ in found])
        return self._updated(request, found, found[0][0], answer)

    def _updated(self, request: webob.Request, found: Found, pod: Pod,
                 answer: PodReply | webob.Response) -> webob.Response:
        """The client's answer to a write ``pod`` answered: the
        aggregate as shown, with that pod's fresh record."""
        if answer.status_code != 200:
            return (answer if isinstance(answer, webob.Response)
                    else self._answer(request, pod, answer))
        fresh = (answer.json_body if isinstance(answer, webob.Response)
                 else forward.pods(self.gateway, request).translate(
                     pod, answer.json()))
        record = shown(found, (pod, fresh['aggregate']))
        return json_response({'aggregate': record})

    def _shown(self, request: webob.Request,
               found: Found) -> webob.Response:
        caller = forward.pods(self.gateway, request)
        return json_response({'aggregate': caller.translate(
            found[0][0], shown(found))})

    @staticmethod
    def _by_name(answers: Sequence[tuple[Pod, PodReply]]) -> dict[str, Found]:
        """Each name's records, in pod order."""
        by_name: dict[str, Found] = {}
        for pod, answer in answers:
            for record in answer.json().get('aggregates', []):
                by_name.setdefault(record.get('name'), []).append(
                    (pod, record))
        return by_name

    def _resolve(self, request: webob.Request, aggregate_id: str,
                 every_pod: bool = True) -> Found | webob.Response:
        """Each pod's record of the aggregate shown with
        ``aggregate_id``; for an id no aggregate is shown with, the
        first pod's answer to the request as it was given. A read
        (``every_pod`` false) does without the pods that are down.

        :raises PodUnavailable: a pod is down or stops answering (for a
            read: every pod).
        """
        pods = (self._all_pods_up() if every_pod else self._up_pods())
        caller, gathered, refused = self._gathered(
            request, pods, 'os-aggregates', params=[])
        if refused is not None:
            return refused
        if gathered.missing and (every_pod or not gathered.ok):
            raise PodUnavailable(gathered.missing[0].name)
        for found in self._by_name(gathered.items()).values():
            if str(found[0][1].get('id')) == aggregate_id:
                return found
        first = pods[0]
        answer = self._call(request, first, request.method,
                            pod_path(request),
                            request.json_body_or_none(), params=[])
        return self._answer(request, first, answer)
