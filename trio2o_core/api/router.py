"""The WSGI app of one service: a Routes mapper over a driver's table."""

from __future__ import annotations

import logging
import re
from typing import Any

import routes
import webob
import webob.dec
import webob.exc

from trio2o_core.api import faults
from trio2o_core.api import paths
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
        self._routes: dict[str, Route] = {}
        for route in driver.routes():
            self._routes[route.path] = route
        self._matcher = RouteIndex(list(self._routes))

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, request: Request) -> webob.Response:
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
        match = self._matcher.match(path)
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


#: a Routes path segment holding a variable
_VARIABLE = re.compile(r'[{}:*]')


def _key(path: str) -> tuple[str, ...]:
    return tuple(path.split('/', 3)[1:3])


class RouteIndex:
    """Routes' answer over ``paths`` (URL templates, in order), from a
    mapper holding only the templates that can match: those whose
    first two segments are the path's own, and those with a variable in
    them.
    """

    def __init__(self, paths: list[str]) -> None:
        wild = {p for p in paths if _VARIABLE.search('/'.join(_key(p)))}
        self._others = self._mapper([p for p in paths if p in wild])
        self._mappers = {
            key: self._mapper([p for p in paths
                               if _key(p) == key or p in wild])
            for key in {_key(p) for p in paths if p not in wild}}

    @staticmethod
    def _mapper(paths: list[str]) -> routes.Mapper:
        mapper = routes.Mapper()
        for path in paths:
            mapper.connect(path, path_template=path)
        return mapper

    def match(self, path: str) -> dict[str, Any] | None:
        """The variables of the first template matching ``path``, with
        the template as ``path_template``; None when none matches."""
        mapper = self._mappers.get(_key(path), self._others)
        found: dict[str, Any] | None = mapper.match(path)
        return found
