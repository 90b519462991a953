"""Service drivers: one per API the gateway serves."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from typing import Literal

import webob

from trio2o_core.plugin import jsoncodec
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.settle import Reconciler
from trio2o_core.plugin.version import PLUGIN_API_VERSION

Handler = Callable[..., webob.Response]
FaultStyle = Literal['nova', 'cinder', 'passthrough']


@dataclasses.dataclass(frozen=True)
class Route:
    """One path of a service and the handler of each HTTP method.

    ``path`` uses Routes syntax (``/servers/{server_id}``); a handler is
    called as ``handler(request, **path_params)`` and returns a
    :class:`webob.Response`.
    """

    path: str
    methods: Mapping[str, Handler]
    #: served without a validated token (version documents)
    public: bool = False


class ServiceDriver(abc.ABC):
    """An API served by the gateway under ``/<prefix>``.

    The core builds the router from :meth:`routes`, answers 404 for
    unknown paths and :attr:`other_method_status` for unknown methods,
    negotiates the microversion :attr:`api` declares (and echoes it in
    every answer), turns exceptions into faults of :attr:`fault_style`,
    and calls :meth:`prepare` before and :meth:`finish` after every
    handler.
    """

    plugin_api: ClassVar[int] = PLUGIN_API_VERSION
    #: the URL prefix the service is mounted at, without slashes
    prefix: ClassVar[str]
    #: how gateway-made errors are written
    fault_style: ClassVar[FaultStyle] = 'nova'
    #: the pod endpoint, hrefs, zones and microversions of the API
    api: ClassVar[ServiceAPI] = ServiceAPI(catalog_service=None)
    #: the answer to a known path asked with a method it lacks: 405 (with
    #: ``Allow``), or 404 as Nova and Cinder answer any unrouted request
    other_method_status: ClassVar[Literal[404, 405]] = 405
    #: route paths as given; otherwise a trailing slash is dropped
    #: (``/servers/`` is ``/servers``)
    keeps_trailing_slash: ClassVar[bool] = False

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    @abc.abstractmethod
    def routes(self) -> Sequence[Route]:
        """Return the service's route table."""

    def pods(self, request: webob.Request) -> PodCaller:
        """Return the pod caller of ``request`` for this service."""
        return self.gateway.pod_caller(request, self.api)

    def reconcilers(self) -> Sequence[Reconciler]:
        """Return the readers of pods through which the core settles the
        service's routing rows, one per routed resource type (none: the
        service routes nothing)."""
        return ()

    def prepare(self, request: webob.Request) -> None:
        """Inspect a matched request before its handler runs.

        May raise any plugin exception (e.g. a bad microversion header).
        """

    def finish(self, request: webob.Request,
               response: webob.Response) -> None:
        """Adjust every response, faults included (e.g. version headers)."""


def json_response(body: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None
                  ) -> webob.Response:
    """Return a JSON response (``None`` body: empty, as OpenStack does)."""
    response = webob.Response(status=status,
                              content_type='application/json',
                              charset='UTF-8')
    if body is not None:
        response.body = jsoncodec.dumps(body)
    else:
        response.body = b''
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


#: the ``{project_id}`` URL segment Nova and Cinder accept by default
PROJECT_ID = '{url_project_id:[0-9a-f-]+}'


def project_scoped(route: Route, version: str,
                   mismatch: Callable[[str, str], Exception]) -> Route:
    """Return ``route`` (a path under ``version``, e.g. ``/v2.1``) also
    served as ``<version>/<project_id>/...``, the form of catalogs that
    put the project in the URL.

    A project id other than the token's raises
    ``mismatch(url_project_id, token_project_id)``.
    """
    def scoped(handler: Handler) -> Handler:
        def call(request: webob.Request, url_project_id: str,
                 **params: Any) -> webob.Response:
            project_id = request.context.project_id
            if url_project_id != project_id:
                raise mismatch(url_project_id, project_id)
            return handler(request, **params)
        return call

    path = f'{version}/{PROJECT_ID}' + route.path.removeprefix(version)
    return Route(path, {method: scoped(handler)
                        for method, handler in route.methods.items()},
                 route.public)
