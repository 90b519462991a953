"""The WSGI app of one service: a Routes mapper over a driver's table."""

from __future__ import annotations

import logging
from typing import Any

import routes
import webob
import webob.exc

from trio2o_core.api import faults
from trio2o_core.api import paths
from trio2o_core.api.route_index import RouteIndex
from trio2o_core.plugin import links
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.request import Request
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver

LOG = logging.getLogger(__name__)


class ServiceApp:
    """Dispatch requests to a :class:`ServiceDriver`'s handlers.

    A URL breaking :func:`paths.check` answers 400/404 before any
    routing; an unknown path 404; a known path with another method the
    driver's ``other_method_status`` (405 with ``Allow``, or 404). Every
    exception becomes a fault in the driver's style, and the driver's
    ``finish`` hook sees every response.
    """

    def __init__(self, driver: ServiceDriver,
                 public_url: str | None = None) -> None:
        self.driver = driver
        self.public_url = public_url
        self.mapper = routes.Mapper()
        self._routes: dict[str, Route] = {}
        for route in driver.routes():
            self._routes[route.path] = route
            self.mapper.connect(route.path, path_template=route.path)
        self.index = RouteIndex(self.mapper)

    def __call__(self, environ: dict[str, Any],
                 start_response: Any) -> Any:
        """The WSGI call (plain: no ``wsgify`` around it)."""
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> webob.Response:
        """The answer to ``request``; never raises."""
        style = self.driver.fault_style
        try:
            response = self._dispatch(request)
        except Exception as exc:
            response = faults.render(faults.fault_for(exc, style), style)
        try:
            spec = self.driver.api.microversions
            if spec is not None:
                spec.echo(request, response)
            self.driver.finish(request, response)
        except Exception:
            LOG.exception('finish hook of %s failed', type(self.driver))
        return response

    def _dispatch(self, request: Request) -> webob.Response:
        paths.check(request.environ)
        if self.public_url:
            request.environ[links.CONFIG_PUBLIC_URL_KEY] = self.public_url
        path = request.path_info or '/'
        if len(path) > 1 and not self.driver.keeps_trailing_slash:
            path = path.rstrip('/')
        match = self.index.match(path, request.environ)
        if match is None:
            raise webob.exc.HTTPNotFound()
        route = self._routes[match.pop('path_template')]
        handler = route.methods.get(request.method)
        if handler is None:
            if self.driver.other_method_status == 404:
                raise webob.exc.HTTPNotFound()
            raise webob.exc.HTTPMethodNotAllowed(
                detail='The method specified is not allowed for this '
                       'resource.',
                headers={'Allow': ', '.join(sorted(route.methods))})
        if not route.public and CONTEXT_KEY not in request.environ:
            raise webob.exc.HTTPUnauthorized(
                detail='The request you have made requires '
                       'authentication.')
        spec = self.driver.api.microversions
        if spec is not None:
            spec.negotiate(request, self.driver.gateway.max_version(
                request, self.driver.api))
        self.driver.prepare(request)
        params: dict[str, Any] = dict(match)
        return handler(request, **params)
