"""``/v3/messages`` (3.3+): the user messages the pods keep, one list.

The gateway does not route messages: a pod writes them itself (a
volume that failed to build, ...). The list merges every enabled pod's
(:class:`listing.Lister`, unrouted: each pod shows the caller what
Cinder lets it see), in Cinder's order and paging. A message is found
by asking the pods in turn; show and delete go to the pod that has it.
An id no reachable pod has is Cinder's 404 (the first pod's answer), or
503 when a pod that might have it is down.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence

import webob

from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_plugins.cinder import listing
from trio2o_plugins.cinder import routed

MESSAGE = routed.Kind('message', 'messages',
                      'Message {id} could not be found.')


class Messages:
    """List, show and delete the pods' user messages."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway
        self.lister = listing.Lister(self.gateway, MESSAGE, (),
                                     by_routing=False)

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v3/messages', {'GET': self.list}),
            Route('/v3/messages/{message_id}', {'GET': self.one,
                                                'DELETE': self.one}),
        ]

    def list(self, request: webob.Request) -> webob.Response:
        """``GET /messages``, merged over the enabled pods."""
        return self.lister.respond(request, self.service.pods(request),
                                   True)

    def one(self, request: webob.Request,
            message_id: str) -> webob.Response:
        """``GET``/``DELETE /messages/{id}`` in the pod that has it.

        :raises PodUnavailable: no reachable pod has it and a pod is
            down.
        """
        caller = self.service.pods(request)
        path = 'messages/' + urllib.parse.quote(message_id, safe='')
        pod, reply = self._find(caller, path, message_id)
        if request.method == 'DELETE' and reply.status_code == 200:
            reply = caller.call(pod, 'DELETE', path)
        return caller.relay(pod, reply)

    def _find(self, caller: PodCaller, path: str,
              message_id: str) -> tuple[Pod, PodReply]:
        """The pod that shows ``path`` and its answer; else the first
        pod's refusal.

        :raises PodUnavailable: no pod shows it and a pod is down.
        :raises NotFound: there is no enabled pod.
        """
        refusal: tuple[Pod, PodReply] | None = None
        down: list[Pod] = []
        for pod in self.gateway.list_pods():
            try:
                reply = caller.call(pod, 'GET', path)
            except PodUnavailable:
                down.append(pod)
                continue
            if reply.status_code == 200:
                return pod, reply
            refusal = refusal or (pod, reply)
        if down:
            raise PodUnavailable(down[0].name)
        if refusal is None:
            raise NotFound(MESSAGE.not_found.format(id=message_id))
        return refusal
