"""Calls to the pod that owns a resource, and their answers to clients.

Every pod call goes through :func:`call`; every pod answer a client sees
goes through :func:`to_response`, so hrefs, availability zones and error
rules are the same everywhere.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import webob
from keystoneauth1 import exceptions as ks_exc

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import links
from trio2o_plugins.nova import microversions

RESOURCE = 'server'
#: headers of a pod answer passed on to the client
PASSED_HEADERS = ('Retry-After', 'Content-Type')
_VERSION_SUFFIX = re.compile(r'/v2(\.1)?(/[0-9a-fA-F-]+)?/?$')
_UNREACHABLE = (ks_exc.ConnectFailure, ks_exc.ConnectTimeout,
                ks_exc.ConnectionError)


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
        """Route what the pod made: each id ``creating``, the request row
        removed, then each id ``active``."""
        top_ids = list(top_ids)
        for top_id in top_ids:
            self.gateway.record(self.context, top_id, self.resource_type,
                                self.pod, status='creating')
        self.abandon()
        for top_id in top_ids:
            self.gateway.set_status(top_id, self.resource_type, 'active')


def forget_if_gone(gateway: Gateway, routing: Routing,
                   pod_response: Any) -> bool:
    """Remove ``routing`` when the pod answered a call on the resource
    itself with Nova's ``itemNotFound`` (the resource is gone from its
    pod); return whether it did."""
    if pod_response.status_code != 404:
        return False
    try:
        body = pod_response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or 'itemNotFound' not in body:
        return False
    gateway.forget(routing.top_id, routing.resource_type)
    return True


def query(request: webob.Request) -> list[tuple[str, str]]:
    """Return the request's query parameters, repeats and order kept."""
    return list(request.GET.items())


def forward_headers(request: webob.Request) -> dict[str, str]:
    """Return the request headers a pod call carries on."""
    headers = {}
    context = request.context
    request_id = context.global_request_id or context.request_id
    if request_id:
        headers['X-OpenStack-Request-ID'] = request_id
    if request.headers.get('Accept-Language'):
        headers['Accept-Language'] = request.headers['Accept-Language']
    return headers


def call(gateway: Gateway, request: webob.Request, pod: Pod, method: str,
         path: str, *, json: Any = None,
         params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
         microversion: str | None = None) -> Any:
    """Send one compute API call to ``pod`` as the caller.

    ``path`` is relative to the pod's compute endpoint. The request's
    negotiated microversion is sent unless ``microversion`` is given.
    Returns the pod's ``requests.Response`` whatever its status.

    :raises PodUnavailable: the pod cannot be reached (it is marked down).
    """
    conn = gateway.connect(request.context, pod)
    version = microversion or str(microversions.of(request))
    try:
        response = conn.compute.request(
            path, method, json=json, params=params, microversion=version,
            headers=forward_headers(request), raise_exc=False)
    except _UNREACHABLE as exc:
        gateway.mark_down(pod)
        raise PodUnavailable(pod.name, f'{pod.name}: {exc}') from None
    gateway.mark_up(pod)
    return response


def pod_root(conn: Any) -> str:
    """Return the pod's compute URL without its version (the base of the
    hrefs the pod writes)."""
    endpoint = conn.compute.get_endpoint() or ''
    return _VERSION_SUFFIX.sub('', endpoint.rstrip('/'))


def translate(value: Any, request: webob.Request, pod: Pod,
              conn: Any) -> Any:
    """Return a pod's JSON value as the gateway shows it: hrefs at the
    gateway, the pod's internal availability zone as the users' one."""
    value = links.rewrite(value, pod_root(conn), links.gateway_url(request))
    if pod.pod_az_name and pod.az_name:
        value = _rename_az(value, pod.pod_az_name, pod.az_name)
    return value


_AZ_KEYS = ('OS-EXT-AZ:availability_zone', 'availability_zone',
            'pinned_availability_zone')


def _rename_az(value: Any, inner: str, outer: str) -> Any:
    if isinstance(value, list):
        return [_rename_az(item, inner, outer) for item in value]
    if isinstance(value, dict):
        return {key: (outer if key in _AZ_KEYS and item == inner
                      else _rename_az(item, inner, outer))
                for key, item in value.items()}
    return value


def to_response(request: webob.Request, pod_response: Any, pod: Pod,
                gateway: Gateway) -> webob.Response:
    """Turn a pod's answer into the gateway's.

    2xx and 4xx keep the pod's status and (translated) body; a 5xx other
    than 501/503 is raised as the pod's error so the fault table turns it
    into 500.
    """
    from openstack import exceptions as sdk_exc

    status = pod_response.status_code
    if status >= 500 and status not in (501, 503):
        sdk_exc.raise_from_response(pod_response)
    response = webob.Response(status=status)
    for name in PASSED_HEADERS:
        if name in pod_response.headers:
            response.headers[name] = pod_response.headers[name]
    conn = gateway.connect(request.context, pod)
    if 'Location' in pod_response.headers:
        response.headers['Location'] = translate(
            pod_response.headers['Location'], request, pod, conn)
    if not pod_response.content:
        response.body = b''
        return response
    try:
        body = pod_response.json()
    except ValueError:
        response.body = pod_response.content
        return response
    response.json_body = translate(body, request, pod, conn)
    return response
