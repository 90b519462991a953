"""A volume type's encryption (``/v3/types/{id}/encryption``), made in
every pod holding the type, as the type's other writes
(:mod:`type_writes`): in all of them or in none.

Each pod's encryption is read before a write, for the undo: a create is
deleted, an update writes the old fields back, a delete creates them
again. Cinder ignores the id after ``/encryption`` in an update or a
delete (the type names the encryption), so it is sent as given. Reads
come from the first pod, which shows its own ids (the gateway shows the
first pod's type id).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import webob

from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_plugins.cinder import fanout
from trio2o_plugins.cinder.type_writes import PREFIX
from trio2o_plugins.cinder.type_writes import TypeWrites
from trio2o_plugins.cinder.type_writes import sent_body

#: the fields of an encryption a client writes
FIELDS = ('provider', 'cipher', 'key_size', 'control_location')


class TypeEncryption:
    """``GET``/``POST /types/{id}/encryption`` and ``GET``/``PUT``/
    ``DELETE .../encryption/{key}``."""

    def __init__(self, writes: TypeWrites) -> None:
        self.writes = writes
        self.service = writes.service
        self.gateway = writes.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route(PREFIX + '/encryption', {'GET': self.writes.read,
                                           'POST': self.write}),
            Route(PREFIX + '/encryption/{key}', {
                'GET': self.writes.read, 'PUT': self.write,
                'DELETE': self.write}),
        ]

    def write(self, request: webob.Request, type_id: str,
              key: str | None = None) -> webob.Response:
        """Create, update or delete the encryption in every pod holding
        the type (see the module).

        :raises PodUnavailable: a pod is down or stops answering.
        """
        caller = self.service.pods(request)
        found = self.writes.resolve(request, caller, type_id)
        if isinstance(found, webob.Response):
            return found
        sent = sent_body(request)
        ids = {pod.id: record['id'] for pod, record in found}
        gathered = caller.gather([pod for pod, _ in found], lambda pod:
                                 caller.json(pod, f'types/{ids[pod.id]}'
                                             '/encryption'))
        if gathered.missing:
            raise PodUnavailable(gathered.missing[0].name)
        for refused in gathered.refused.values():
            return caller.relay(refused.pod, refused.reply)
        steps = []
        for pod, old in gathered.items():
            base = f'types/{ids[pod.id]}/encryption'
            path = self.writes.pod_path(request, type_id, ids[pod.id])
            again: dict[str, Any] = {'encryption': {
                name: old[name] for name in FIELDS if name in old}}
            undo = {
                'POST': partial(caller.call, pod, 'DELETE',
                                f'{base}/{ids[pod.id]}'),
                'PUT': partial(caller.call, pod, 'PUT', path, json=again),
                'DELETE': partial(caller.call, pod, 'POST', base,
                                  json=again),
            }[request.method]
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, request.method, path, **sent),
                undo))
        return fanout.apply(caller, self.gateway,
                            'Volume type encryption update', steps)
