"""The compute service driver: Nova's v2.1 API across every pod."""

from __future__ import annotations

from collections.abc import Sequence

import webob

from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin import project_scoped
from trio2o_plugins.nova import api as compute_api
from trio2o_plugins.nova import forward
from trio2o_plugins.nova import versions
from trio2o_plugins.nova.settle import ServerReconciler


def _mismatch(url_project_id: str, project_id: str) -> BadRequest:
    return BadRequest(f"Malformed request URL: URL's project_id "
                      f"'{url_project_id}' doesn't match Context's "
                      f"project_id '{project_id}'")


class NovaService(ServiceDriver):
    """Serves ``/compute``: version documents, servers, their actions and
    the resources clients need around them."""

    prefix = 'compute'
    fault_style = 'nova'
    # Nova's router matches path and method together
    other_method_status = 404
    api = compute_api.API

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        from trio2o_plugins.nova import resources
        from trio2o_plugins.nova import servers
        from trio2o_plugins.nova.actions import dispatch

        self.servers = servers.ServersController(self)
        self.resources = resources.ResourcesController(self)
        self.actions = dispatch.ServerActions(self)

    def reconcilers(self) -> Sequence[Reconciler]:
        return (ServerReconciler(forward.retention(self.gateway)),)

    def routes(self) -> Sequence[Route]:
        api = [*self.servers.routes(), *self.actions.routes(),
               *self.resources.routes()]
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v2', {'GET': self.legacy_version}, public=True),
            Route('/v2.1', {'GET': self.version}, public=True),
            *api,
            *(project_scoped(route, '/v2.1', _mismatch) for route in api),
        ]

    def max_version(self, request: webob.Request) -> APIVersion:
        """The highest version every enabled pod supports, capped by
        ``[nova] max_microversion``."""
        return self.gateway.max_version(request, self.api)

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
