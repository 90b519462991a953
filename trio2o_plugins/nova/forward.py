"""Calls to the pod that owns a resource, and their answers to clients.

Every pod call goes through :func:`call`; every pod answer a client sees
goes through :func:`to_response`, so hrefs, availability zones and error
rules are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PendingCreate  # noqa: F401 (forward.PendingCreate)
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import forget_if_gone  # noqa: F401 (forward.forget_if_gone)
from trio2o_plugins.nova import microversions

RESOURCE = 'server'


def server_routing(gateway: Gateway, request: webob.Request,
                   server_id: str) -> Routing:
    """Return the routing of a server the caller may see.

    :raises NotFound: ``Instance <id> could not be found.``, as Nova
        says for unknown ids and other projects' servers.
    :raises PodUnavailable: the owning pod is down.
    """
    routing = gateway.lookup(request.context, server_id, RESOURCE)
    if routing is None:
        raise NotFound(f'Instance {server_id} could not be found.')
    if gateway.is_down(routing.pod):
        raise PodUnavailable(routing.pod.name)
    return routing


def query(request: webob.Request) -> list[tuple[str, str]]:
    """Return the request's query parameters, repeats and order kept."""
    return list(request.GET.items())


def pods(gateway: Gateway, request: webob.Request) -> PodCaller:
    """Return the request's caller of compute pods."""
    return gateway.pod_caller(request, microversions.API)


def call(gateway: Gateway, request: webob.Request, pod: Pod, method: str,
         path: str, *, json: Any = None,
         params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
         microversion: str | None = None) -> PodReply:
    """Send one compute API call to ``pod`` as the caller (see
    :meth:`PodCaller.call`).

    :raises PodUnavailable: the pod cannot be reached.
    """
    return pods(gateway, request).call(pod, method, path, json=json,
                                       params=params,
                                       microversion=microversion)


def translate(gateway: Gateway, request: webob.Request, pod: Pod,
              value: Any) -> Any:
    """Return a pod's JSON value as the gateway shows it."""
    return pods(gateway, request).translate(pod, value)


def to_response(request: webob.Request, pod_response: PodReply, pod: Pod,
                gateway: Gateway) -> webob.Response:
    """Turn a pod's answer into the gateway's (see
    :meth:`PodCaller.relay`)."""
    return pods(gateway, request).relay(pod, pod_response)
