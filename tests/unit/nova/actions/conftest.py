"""The compute tests' fake gateway with scripted pods, and a helper to
post server actions through the real dispatcher.

The pods answer from a script: ``cloud.script(pod, method, path,
*answers)`` gives the responses (or exceptions to raise) of successive
calls, the last one repeating; every call is recorded in
``cloud.calls``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import webob
from oslo_context import context as o_context

from trio2o_core.plugin import Routing
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.request import Request
from trio2o_core.testing.fakes import GATEWAY_URL as GATEWAY
from trio2o_core.testing.fakes import OTHER_PROJECT
from trio2o_core.testing.fakes import PROJECT
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.nova import api as compute_api
from trio2o_plugins.nova.actions import dispatch
from trio2o_plugins.nova.service import NovaService

SERVER = '6f3c2a0e-2d42-4a5e-9d1e-0c7d1f6b8a11'
OTHER_SERVER = '0b9e6c77-5a4e-4f55-8c0b-8d1a3e2f4c22'


class FakeCloud(FakeGateway):
    """The compute tests' gateway over two pods whose answers are
    scripted (an unscripted call answers 404)."""

    def __init__(self) -> None:
        super().__init__(pods=2)
        # one failure takes a pod down, so the down-pod rules are seen
        # after a single call
        self.health.threshold = 1

    def routing(self, top_id: str) -> Routing | None:
        return self.routings.get((top_id, 'server'))


#: the pods of a two-pod fake gateway: Pod1 (az1) and Pod2 (az2)
POD1, POD2 = FakeGateway(pods=2).pod_list


@pytest.fixture
def cloud() -> FakeCloud:
    """Two pods (az1 -> Pod1, az2 -> Pod2); ``SERVER`` of ``PROJECT``
    lives in Pod1, ``OTHER_SERVER`` of another project in Pod2."""
    fake = FakeCloud()
    fake.route(SERVER, POD1)
    fake.route(OTHER_SERVER, POD2, OTHER_PROJECT)
    return fake


Post = Callable[..., webob.Response]


def make_request(body: Any, server_id: str = SERVER,
                 version: str | None = None,
                 content_type: str | None = 'application/json',
                 project: str = PROJECT, admin: bool = False,
                 raw: bytes | None = None,
                 public_url: str | None = None) -> Request:
    """Build an authenticated action request as the router passes it."""
    path = f'/v2.1/servers/{server_id}/action'
    request = Request.blank(path, base_url=GATEWAY + '/compute',
                            method='POST')
    if raw is not None:
        request.body = raw
    elif body is not ...:
        request.body = json.dumps(body).encode()
    if content_type is not None:
        request.content_type = content_type
    if version is not None:
        request.headers['OpenStack-API-Version'] = f'compute {version}'
    if public_url is not None:
        request.environ['trio2o.public_url'] = public_url
    request.environ[CONTEXT_KEY] = o_context.RequestContext(
        project_id=project, user_id='user-1', is_admin=admin,
        request_id='req-0001')
    compute_api.SPEC.negotiate(request, compute_api.KNOWN_MAX_VERSION)
    return request


@pytest.fixture
def dispatcher(cloud: FakeCloud) -> dispatch.ServerActions:
    """A dispatcher of every installed action, on the fake cloud."""
    return NovaService(cloud).actions


@pytest.fixture
def post(dispatcher: dispatch.ServerActions) -> Post:
    """``post(body, server_id=SERVER, **make_request_options)``: run one
    action through ``dispatcher``."""

    def run(body: Any, server_id: str = SERVER,
            **options: Any) -> webob.Response:
        return dispatcher.action(make_request(body, server_id, **options),
                                 server_id)

    return run
