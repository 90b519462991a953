"""Requests through the core's router, as a member or admin of a project.

:class:`Client` drives a service driver through
:class:`~trio2o_core.api.router.ServiceApp`: Routes matching,
microversion negotiation and the fault table are the real ones.
:func:`caller` gives a pod caller for code called outside the router.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.api.router import ServiceApp
from trio2o_core.context import RequestContext
from trio2o_core.plugin import CONTEXT_KEY
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.testing.fakes import GATEWAY_URL
from trio2o_core.testing.fakes import PROJECT
from trio2o_core.testing.fakes import FakeGateway


@dataclasses.dataclass
class Reply:
    """A response as the client sees it (``body``: decoded JSON or
    None)."""

    status: int
    headers: Mapping[str, str]
    body: Any

    def message(self) -> str:
        """The message of a fault (``{"<name>": {"message": ...}}``)."""
        return str(next(iter(self.body.values()))['message'])


def user_context(project: str = PROJECT,
                 admin: bool = False) -> RequestContext:
    """The request context of a member (or admin) of ``project``."""
    return RequestContext(
        project_id=project, user_id='user-1', is_admin=admin,
        roles=['admin'] if admin else ['member', 'reader'],
        auth_token=f'token-{project}', request_id='req-0001')


class Client:
    """Sends requests, as a member or admin of a project, through the
    core's router over ``driver``, mounted at ``/<driver.prefix>`` of
    :data:`GATEWAY_URL`."""

    def __init__(self, driver: ServiceDriver, project: str = PROJECT,
                 admin: bool = False) -> None:
        self.driver = driver
        self.app = ServiceApp(driver)
        self.project = project
        self.admin = admin

    def as_user(self, project: str = PROJECT, admin: bool = False
                ) -> Client:
        """The same service, called by another user."""
        return Client(self.driver, project, admin)

    def request(self, method: str, path: str, body: Any = None,
                version: str | None = None,
                headers: Mapping[str, str] | None = None,
                public_url: str | None = None,
                authenticated: bool = True) -> Reply:
        """Send one request; ``version`` goes in ``OpenStack-API-Version``
        (for the driver's service)."""
        request = webob.Request.blank(
            path, base_url=f'{GATEWAY_URL}/{self.driver.prefix}',
            method=method)
        if body is not None:
            request.body = json.dumps(body).encode()
            request.content_type = 'application/json'
        spec = self.driver.api.microversions
        if version is not None and spec is not None:
            request.headers['OpenStack-API-Version'] = (
                f'{spec.service} {version}')
        request.headers.update(headers or {})
        if public_url is not None:
            request.environ['trio2o.public_url'] = public_url
        if authenticated:
            request.environ[CONTEXT_KEY] = user_context(self.project,
                                                        self.admin)
        response = request.get_response(self.app)
        decoded = (json.loads(response.body)
                   if response.body and response.content_type
                   and 'json' in response.content_type else None)
        return Reply(response.status_int, response.headers, decoded)

    def get(self, path: str, **options: Any) -> Reply:
        return self.request('GET', path, **options)

    def post(self, path: str, body: Any, **options: Any) -> Reply:
        return self.request('POST', path, body, **options)

    def put(self, path: str, body: Any, **options: Any) -> Reply:
        return self.request('PUT', path, body, **options)

    def delete(self, path: str, **options: Any) -> Reply:
        return self.request('DELETE', path, **options)


def caller(gateway: FakeGateway, api: ServiceAPI, *,
           project: str = PROJECT, admin: bool = False,
           microversion: str | None = None) -> PodCaller:
    """A pod caller of ``gateway`` for a request of a member (or admin)
    of ``project`` at ``microversion``, for code called outside the
    router (action handlers, helpers)."""
    request = webob.Request.blank('/', base_url=GATEWAY_URL)
    request.environ[CONTEXT_KEY] = user_context(project, admin)
    if microversion is not None and api.microversions is not None:
        request.headers['OpenStack-API-Version'] = (
            f'{api.microversions.service} {microversion}')
        api.microversions.negotiate(request,
                                    api.microversions.known_maximum)
    return gateway.pod_caller(request, api)
