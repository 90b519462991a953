"""The compute service driver: Nova's v2.1 API across every pod."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_plugins.nova import forward
from trio2o_plugins.nova import microversions
from trio2o_plugins.nova import versions

#: seconds a pod's advertised maximum microversion is trusted
POD_VERSION_TTL = 600.0


#: Nova's default ``project_id_regex``
PROJECT_ID = '{url_project_id:[0-9a-f-]+}'


def project_scoped(route: Route) -> Route:
    """Return ``route`` also served as ``/v2.1/<project_id>/...``, the
    form of catalogs that put the project in the compute URL.

    A project id other than the token's answers Nova's 400.
    """
    def scoped(handler):
        def call(request: webob.Request, url_project_id: str, **params):
            if url_project_id != request.context.project_id:
                raise BadRequest(
                    f"Malformed request URL: URL's project_id "
                    f"'{url_project_id}' doesn't match Context's project_id "
                    f"'{request.context.project_id}'")
            return handler(request, **params)
        return call

    path = '/v2.1/' + PROJECT_ID + route.path.removeprefix('/v2.1')
    return Route(path, {method: scoped(handler)
                        for method, handler in route.methods.items()},
                 route.public)


class NovaService(ServiceDriver):
    """Serves ``/compute``: version documents, servers, their actions and
    the resources clients need around them."""

    prefix = 'compute'
    fault_style = 'nova'

    def __init__(self, gateway) -> None:
        super().__init__(gateway)
        self._pod_max: dict[str, tuple[APIVersion, float]] = {}
        self._lock = threading.Lock()
        from trio2o_plugins.nova import resources
        from trio2o_plugins.nova import servers
        from trio2o_plugins.nova.actions import dispatch

        self.servers = servers.ServersController(self)
        self.resources = resources.ResourcesController(self)
        self.actions = dispatch.ActionDispatcher(self)

    def routes(self) -> Sequence[Route]:
        api = [*self.servers.routes(), *self.actions.routes(),
               *self.resources.routes()]
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v2', {'GET': self.legacy_version}, public=True),
            Route('/v2.1', {'GET': self.version}, public=True),
            *api,
            *(project_scoped(route) for route in api),
        ]

    # microversions

    def prepare(self, request: webob.Request) -> None:
        # The root and the legacy v2 documents are outside microversion
        # control, as in Nova; everything under /v2.1 is inside it.
        if request.path_info.strip('/') in ('', 'v2'):
            return
        microversions.negotiate_request(request, self.max_version(request))

    def finish(self, request: webob.Request,
               response: webob.Response) -> None:
        microversions.add_headers(request, response)

    def max_version(self, request: webob.Request) -> APIVersion:
        """Return the highest version every enabled pod supports, capped
        by ``[nova] max_microversion``.

        Pods' version documents are read (with the caller's token) when
        not known for the last ``POD_VERSION_TTL`` seconds; without a
        caller, what is known is used.
        """
        cap = self.gateway.conf.nova.max_microversion
        best = (APIVersion.parse(cap) if cap
                else microversions.KNOWN_MAX_VERSION)
        pods = self.gateway.list_pods()
        if CONTEXT_KEY in request.environ:
            self._refresh(request, pods)
        now = time.monotonic()
        with self._lock:
            for pod in pods:
                known = self._pod_max.get(pod.id)
                if known is not None and known[1] > now:
                    best = min(best, known[0])
        return best

    def _refresh(self, request: webob.Request, pods: list) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [pod for pod in pods
                     if pod.id not in self._pod_max
                     or self._pod_max[pod.id][1] <= now]
        stale = [pod for pod in stale if not self.gateway.is_down(pod)]
        if not stale:
            return

        def read(pod):
            response = forward.call(self.gateway, request, pod, 'GET', '',
                                    microversion='2.1')
            return APIVersion.parse(response.json()['version']['version'])

        results = self.gateway.fanout(read, stale)
        with self._lock:
            for pod_id, result in results.items():
                if isinstance(result, APIVersion):
                    self._pod_max[pod_id] = (result, now + POD_VERSION_TTL)

    # version documents

    def versions(self, request: webob.Request) -> webob.Response:
        """``GET /``: every API version."""
        maximum = str(self.max_version(request))
        return json_response(versions.version_list(request, maximum))

    def version(self, request: webob.Request) -> webob.Response:
        """``GET /v2.1``: the v2.1 API and its microversion range."""
        maximum = str(self.max_version(request))
        return json_response(versions.version(request, 'v2.1', maximum))

    def legacy_version(self, request: webob.Request) -> webob.Response:
        """``GET /v2``: the legacy v2.0 document (only the document is
        served; the legacy API itself is not)."""
        return json_response(versions.version(request, 'v2.0', ''))
