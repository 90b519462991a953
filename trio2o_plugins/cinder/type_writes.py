"""Volume type writes, extra specs and type access, made in every pod.

A type is one name over the pods; each pod gives it an id of its own.
The gateway shows the id of the first enabled pod (by name) holding the
name, as ``GET /types`` does, so an id read from the gateway stays valid
while that pod holds the type, needs no table of its own, and is the id
a client reads back from a create. A call naming a type id is resolved
to the name (any pod's id is accepted), then to each pod's own id by
listing the pod's types (public and private). Pods that lack the name
are left alone; an id no pod knows is sent to the first pod as given, so
its answer (403 for a non-admin, Cinder's 404) is the client's.

Writes go through :mod:`trio2o_plugins.cinder.fanout`: in every pod or
in none. Reads of extra specs and access lists come from the first pod.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from functools import partial
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_plugins.cinder import fanout

PREFIX = '/v3/types/{type_id}'
#: the actions a type access write is, and the one undoing each
#: each pod's record of one type, in pod order
Found = list[tuple[Pod, dict[str, Any]]]
ACCESS_UNDO = {'addProjectAccess': 'removeProjectAccess',
               'removeProjectAccess': 'addProjectAccess'}


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe='')


def sent_body(request: webob.Request) -> dict[str, Any]:
    """The request's body as a pod gets it: the bytes the client sent
    (a JSON ``null`` included, which Cinder judges), once read as JSON.

    :raises BadRequest: the body is not JSON.
    """
    request.json_body_or_none()
    if not request.body:
        return {}
    return {'data': request.body,
            'headers': {'Content-Type': 'application/json'}}


def _first_failure(replies: Sequence[PodReply]) -> PodReply:
    """The first reply that is not a success, else the last one."""
    for reply in replies:
        if reply.status_code >= 300:
            return reply
    return replies[-1]


class TypeWrites:
    """``POST /types``, ``PUT``/``DELETE /types/{id}``, the type's
    ``extra_specs`` and its access list and actions."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        """The routes of extra specs and type access (the type's own
        writes join the read routes in the service's table)."""
        return [
            Route(PREFIX + '/extra_specs', {'GET': self.read,
                                            'POST': self.set_specs}),
            Route(PREFIX + '/extra_specs/{key}', {
                'GET': self.read, 'PUT': self.set_specs,
                'DELETE': self.delete_spec}),
            Route(PREFIX + '/os-volume-type-access', {'GET': self.read}),
            Route(PREFIX + '/action', {'POST': self.action}),
        ]

    # the type itself

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /types``: created in every enabled pod; the first
        pod's answer (and id) is the client's."""
        sent = sent_body(request)
        caller = self.service.pods(request)
        made: dict[str, str] = {}

        def create_in(pod: Pod) -> PodReply:
            reply = caller.call(pod, 'POST', 'types', **sent)
            if reply.status_code == 200:
                made[pod.id] = reply.json()['volume_type']['id']
            return reply

        def undo(pod: Pod) -> PodReply:
            return caller.call(pod, 'DELETE', 'types/' + made[pod.id])

        return fanout.apply(caller, self.gateway, 'Volume type create', [
            fanout.Step(pod, partial(create_in, pod), partial(undo, pod))
            for pod in self.gateway.list_pods()])

    def update(self, request: webob.Request,
               type_id: str) -> webob.Response:
        """``PUT /types/{id}`` in every pod holding the type; undone by
        writing back the changed fields."""
        sent = sent_body(request)
        body = request.json_body_or_none()
        caller = self.service.pods(request)
        found = self.resolve(request, caller, type_id)
        if isinstance(found, webob.Response):
            return found
        asked = body.get('volume_type') if isinstance(body, dict) else None
        changed = asked if isinstance(asked, dict) else {}
        steps = []
        for pod, record in found:
            path = 'types/' + record['id']
            old = {'name': record.get('name'),
                   'description': record.get('description') or '',
                   'is_public': record.get('is_public', True)}
            restore = {'volume_type': {key: old[key] for key in old
                                       if key in changed}}
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, 'PUT', path, **sent),
                partial(caller.call, pod, 'PUT', path, json=restore)))
        return fanout.apply(caller, self.gateway, 'Volume type update',
                            steps)

    def delete(self, request: webob.Request,
               type_id: str) -> webob.Response:
        """``DELETE /types/{id}`` in every pod holding the type; undone
        by creating the type again (name, description, visibility and
        extra specs; the pod gives it a new id)."""
        caller = self.service.pods(request)
        found = self.resolve(request, caller, type_id)
        if isinstance(found, webob.Response):
            return found
        steps = []
        for pod, record in found:
            again = {'volume_type': {
                'name': record['name'],
                'description': record.get('description'),
                'os-volume-type-access:is_public': record.get(
                    'is_public', True),
                'extra_specs': record.get('extra_specs') or {}}}
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, 'DELETE',
                             'types/' + record['id']),
                partial(caller.call, pod, 'POST', 'types', json=again)))
        return fanout.apply(caller, self.gateway, 'Volume type delete',
                            steps)

    # extra specs and access

    def read(self, request: webob.Request, type_id: str,
             key: str | None = None) -> webob.Response:
        """``GET`` an extra spec, the extra specs, the access list or
        the encryption of a type, from the first pod up holding it."""
        caller = self.service.pods(request)
        found = self.resolve(request, caller, type_id, every_pod=False)
        if isinstance(found, webob.Response):
            return found
        pod, record = found[0]
        return caller.relay(pod, caller.call(
            pod, 'GET', self.pod_path(request, type_id, record['id']),
            params=list(request.GET.items())))

    def set_specs(self, request: webob.Request, type_id: str,
                  key: str | None = None) -> webob.Response:
        """``POST /types/{id}/extra_specs`` and ``PUT
        .../extra_specs/{key}`` in every pod; undone by writing back the
        keys' old values (or deleting the new keys)."""
        body = request.json_body_or_none()
        written = body if key is not None else (
            body.get('extra_specs') if isinstance(body, dict) else None)
        keys = list(written) if isinstance(written, dict) else []
        return self._spec_write(request, type_id, keys,
                                'Volume type extra specs update')

    def delete_spec(self, request: webob.Request, type_id: str,
                    key: str) -> webob.Response:
        """``DELETE /types/{id}/extra_specs/{key}`` in every pod; undone
        by writing the key back."""
        return self._spec_write(request, type_id, [key],
                                'Volume type extra spec delete')

    def action(self, request: webob.Request,
               type_id: str) -> webob.Response:
        """``POST /types/{id}/action``: ``addProjectAccess`` and
        ``removeProjectAccess`` in every pod, undone by the other one;
        any other body goes to the first pod, which judges it."""
        sent = sent_body(request)
        body = request.json_body_or_none()
        caller = self.service.pods(request)
        found = self.resolve(request, caller, type_id)
        if isinstance(found, webob.Response):
            return found
        names = list(body) if isinstance(body, dict) else []
        if len(names) != 1 or names[0] not in ACCESS_UNDO:
            pod, record = found[0]
            return caller.relay(pod, caller.call(
                pod, 'POST', f'types/{record["id"]}/action', **sent))
        undo_body = {ACCESS_UNDO[names[0]]: body[names[0]]}
        steps = []
        for pod, record in found:
            path = f'types/{record["id"]}/action'
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, 'POST', path, **sent),
                partial(caller.call, pod, 'POST', path, json=undo_body)))
        return fanout.apply(caller, self.gateway, 'Volume type access '
                            'update', steps)

    # helpers

    def _spec_write(self, request: webob.Request, type_id: str,
                    keys: list[str], what: str) -> webob.Response:
        caller = self.service.pods(request)
        found = self.resolve(request, caller, type_id)
        if isinstance(found, webob.Response):
            return found
        steps = []
        for pod, record in found:
            base = f'types/{record["id"]}/extra_specs'
            path = self.pod_path(request, type_id, record['id'])
            old = record.get('extra_specs') or {}

            def restore(pod: Pod, base: str = base,
                        old: dict[str, Any] = old) -> PodReply:
                return _first_failure([
                    caller.call(pod, 'PUT', f'{base}/{_quote(name)}',
                                json={name: old[name]})
                    if name in old else
                    caller.call(pod, 'DELETE', f'{base}/{_quote(name)}')
                    for name in keys])
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, request.method, path,
                             **sent_body(request)),
                partial(restore, pod) if keys else None))
        return fanout.apply(caller, self.gateway, what, steps)

    def pod_path(self, request: webob.Request, type_id: str,
                 pod_type_id: str) -> str:
        """The request's path in a pod: after ``/types/<id>``, with the
        pod's id."""
        tail = request.path_info.split('/types/', 1)[1][len(type_id):]
        return (f'types/{_quote(pod_type_id)}'
                + urllib.parse.quote(tail, safe='/'))

    def resolve(self, request: webob.Request, caller: PodCaller,
                type_id: str, every_pod: bool = True
                ) -> Found | webob.Response:
        """Each pod's record of the type ``type_id`` is, in pod order;
        for an id no pod knows, the first pod's answer to the request
        as it was given. A read (``every_pod`` false) does without the
        pods that are down.

        :raises PodUnavailable: a pod is down or stops answering (for a
            read: every pod).
        """
        pods = self.gateway.list_pods()
        if every_pod:
            fanout.require_up(self.gateway, pods)
        gathered = caller.gather(pods, lambda pod: caller.json(
            pod, 'types', params=[('is_public', 'None')]))
        if gathered.missing and (every_pod or not gathered.ok):
            raise PodUnavailable(gathered.missing[0].name)
        pods = [pod for pod in pods if pod not in gathered.missing]
        for refused in gathered.refused.values():
            return caller.relay(refused.pod, refused.reply)
        listed = [(pod, body.get('volume_types', []))
                  for pod, body in gathered.items()]
        name = next((record.get('name') for _, records in listed
                     for record in records if record.get('id') == type_id),
                    None)
        found = [(pod, record) for pod, records in listed
                 for record in records
                 if name is not None and record.get('name') == name]
        if found:
            return found
        return caller.relay(pods[0], caller.call(
            pods[0], request.method, self.pod_path(request, type_id, type_id),
            params=list(request.GET.items()), **sent_body(request)))

