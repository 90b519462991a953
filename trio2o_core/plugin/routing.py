"""Routing rows around pod calls: creates in flight, resources gone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

import webob

from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing

#: the fault name Nova and Cinder give a resource that does not exist
NOT_FOUND_FAULT = 'itemNotFound'


class PendingCreate:
    """A create call in flight, before the pod has named what it made.

    Writing the ``<resource_type>_request`` routing row (its own random
    id, the caller's project, ``pod``, ``creating``) is the first step,
    before the pod is called: should the gateway stop before the new
    resources are routed, that row tells which pod may hold unrouted
    resources of the project made after the row's creation time.
    """

    def __init__(self, gateway: Gateway, request: webob.Request, pod: Pod,
                 resource_type: str) -> None:
        self.gateway = gateway
        self.context = request.context
        self.pod = pod
        self.resource_type = resource_type
        self.request_id = str(uuid.uuid4())
        gateway.record(self.context, self.request_id, self.request_type,
                       pod, status='creating')

    @property
    def request_type(self) -> str:
        """The routing type of the request row."""
        return f'{self.resource_type}_request'

    def abandon(self) -> None:
        """The pod made nothing: remove the request row."""
        self.gateway.forget(self.request_id, self.request_type)

    def route(self, top_ids: Iterable[str]) -> None:
        """Route what the pod made, ``active``, and remove the request
        row, in one step (``Gateway.route_created``).

        :raises Conflict: an id is routed already (the request row
            stays for the reconciler).
        """
        self.gateway.route_created(self.context, self.pod,
                                   self.resource_type, top_ids,
                                   self.request_id, self.request_type)

    def send(self, call: Callable[[], PodReply],
             made: Callable[[Any], Iterable[str]], *,
             reconciled: bool = False) -> PodReply:
        """Make the create ``call``: a 2xx answer routes the ids
        ``made(body)`` names, any other answer removes the request row.
        So does an unreachable pod, unless the answer was lost and the
        type is ``reconciled`` (the row stays for the reconciler).

        :raises PodUnavailable: the pod cannot be reached.
        """
        try:
            answer = call()
        except PodUnavailable as exc:
            if not (exc.answer_lost and reconciled):
                self.abandon()
            raise
        if answer.status_code >= 300:
            self.abandon()
        else:
            self.route(made(answer.json()))
        return answer


def forget_if_gone(gateway: Gateway, routing: Routing,
                   pod_response: PodReply, keep: bool = False) -> bool:
    """Remove ``routing`` (with ``keep``: mark it ``deleted``) when the
    pod answered a call on the resource itself with a 404
    ``itemNotFound`` fault (the resource is gone from its pod); return
    whether it did."""
    if pod_response.status_code != 404:
        return False
    try:
        body = pod_response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or NOT_FOUND_FAULT not in body:
        return False
    if keep:
        gateway.set_status(routing.top_id, routing.resource_type, 'deleted')
    else:
        gateway.forget(routing.top_id, routing.resource_type)
    return True
