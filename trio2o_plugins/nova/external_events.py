"""``POST /os-server-external-events`` (admin): each event sent to the
pod of its server, the pods' answers put back in the request's order.

Events of servers the gateway does not route come back as Nova words
them (``failed``, code 404). When no event names a routed server, or the
body is not a list of events, the whole call goes to the first up pod,
which checks the body and the policy and answers as Nova does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources

PATH = 'os-server-external-events'


class ExternalEventsController(PodResources):
    """Server external events, sent to the servers' pods."""

    def routes(self) -> Sequence[Route]:
        return [Route('/v2.1/' + PATH, {'POST': self.create})]

    def create(self, request: webob.Request) -> webob.Response:
        """Send each event to its server's pod; answer 200 when every
        event was accepted, else 207, each event with its code.

        :raises PodUnavailable: a server's pod is down.
        """
        body = request.json_body_or_none()
        events = body.get('events') if isinstance(body, dict) else None
        if not (isinstance(events, list) and events and all(
                isinstance(e, dict) and isinstance(e.get('server_uuid'), str)
                for e in events)):
            return self.first_pod(request)
        groups: dict[str, tuple[Pod, list[int]]] = {}
        for index, event in enumerate(events):
            routing = self.gateway.lookup(request.context,
                                          event['server_uuid'],
                                          forward.RESOURCE)
            if routing is not None:
                groups.setdefault(routing.pod.id, (routing.pod, []))[
                    1].append(index)
        if not groups:
            return self.first_pod(request)
        answered: list[Any] = [{**event, 'status': 'failed', 'code': 404}
                               for event in events]
        for pod, indexes in groups.values():
            sent = {**body, 'events': [events[i] for i in indexes]}
            reply = self._call(request, pod, 'POST', PATH, sent, params=[])
            if reply.status_code not in (200, 207):
                return self._answer(request, pod, reply)
            for index, event in zip(indexes, reply.json().get('events', []),
                                    strict=False):
                answered[index] = event
        status = 200 if all(e.get('code') == 200 for e in answered) else 207
        return json_response({'events': answered}, status)
