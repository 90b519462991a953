"""Calls to the pod that owns a resource, and their answers to clients.

Every pod call goes through the request's pod caller (:func:`pods`);
every pod answer a client sees goes through its ``relay`` or
``translate``, so hrefs, availability zones and error rules are the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Gathered
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodFailed
from trio2o_core.plugin import PodRefused
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import forget_if_gone
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import api as compute_api

RESOURCE = 'server'


def server_routing(gateway: Gateway, request: webob.Request,
                   server_id: str, deleted: bool = False) -> Routing:
    """Return the routing of a server the caller may see (a deleted
    server's, kept for :func:`retention` seconds, only when ``deleted``).

    :raises NotFound: ``Instance <id> could not be found.``, as Nova
        says for unknown ids and other projects' servers.
    :raises PodUnavailable: the owning pod is down.
    """
    routing = gateway.lookup(request.context, server_id, RESOURCE,
                             deleted=deleted)
    if routing is None:
        raise NotFound(f'Instance {server_id} could not be found.')
    if gateway.is_down(routing.pod):
        raise PodUnavailable(routing.pod.name)
    return routing


def retention(gateway: Gateway) -> float:
    """Seconds a deleted server's routing is kept, ``deleted``
    (``[nova] deleted_server_retention``)."""
    return float(gateway.conf.nova.deleted_server_retention)


def forget_if_gone_server(gateway: Gateway, routing: Routing,
                          reply: PodReply) -> bool:
    """:func:`forget_if_gone` for a server: its row is kept ``deleted``
    while :func:`retention` says so."""
    return forget_if_gone(gateway, routing, reply,
                          keep=retention(gateway) > 0)


def query(request: webob.Request) -> list[tuple[str, str]]:
    """Return the request's query parameters, repeats and order kept."""
    return list(request.GET.items())


def pods(gateway: Gateway, request: webob.Request) -> PodCaller:
    """Return the request's caller of compute pods."""
    return gateway.pod_caller(request, compute_api.API)


def checked(pod: Pod, reply: PodReply) -> PodReply:
    """Return a pod's 2xx answer.

    :raises PodRefused: the pod answered 4xx (its own error, for the
        client).
    :raises PodFailed: the pod answered anything else.
    """
    if 400 <= reply.status_code < 500:
        raise PodRefused(pod, reply)
    if not 200 <= reply.status_code < 300:
        raise PodFailed(pod.name, reply.status_code)
    return reply


def getter(caller: PodCaller, path: str,
           params: Sequence[tuple[str, str]] | None = None
           ) -> Callable[[Pod], PodReply]:
    """The ``fetch`` of :meth:`PodCaller.gather` that ``GET``s ``path``
    from each pod (see :func:`checked`)."""
    return lambda pod: checked(pod, caller.call(pod, 'GET', path,
                                                params=params))


def refusal(caller: PodCaller,
            gathered: Gathered[Any]) -> webob.Response | None:
    """The client's answer when a pod of a fan-out refused the call: the
    first refusing pod's own (in the order the pods were given)."""
    for refused in gathered.refused.values():
        return caller.relay(refused.pod, refused.reply)
    return None


def merged(body: Any, gathered: Gathered[Any]) -> webob.Response:
    """A merged answer, naming the pods it lacks (``X-Trio2o-Partial``)."""
    response = json_response(body)
    gathered.mark_partial(response)
    return response
