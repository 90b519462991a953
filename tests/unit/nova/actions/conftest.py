"""The compute tests' fake gateway with scripted pods, and a helper to
post server actions through the real dispatcher.

The pods answer from a script: ``cloud.answer(pod, method, path,
*answers)`` gives the responses (or exceptions to raise) of successive
calls, the last one repeating; every call is recorded in
``cloud.calls``.
"""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import pytest
import requests
import webob
from keystoneauth1 import exceptions as ks_exc
from oslo_context import context as o_context

from tests.unit.nova import fakes
from tests.unit.nova.fakes import GATEWAY
from tests.unit.nova.fakes import OTHER_PROJECT
from tests.unit.nova.fakes import PROJECT
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import Pod
from trio2o_core.plugin import Routing
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.request import Request
from trio2o_plugins.nova import microversions
from trio2o_plugins.nova.actions import dispatch

SERVER = '6f3c2a0e-2d42-4a5e-9d1e-0c7d1f6b8a11'
OTHER_SERVER = '0b9e6c77-5a4e-4f55-8c0b-8d1a3e2f4c22'
Answer = requests.Response | BaseException


@dataclasses.dataclass
class PodCall:
    pod: str
    method: str
    path: str
    json: Any
    microversion: str | None
    headers: dict[str, str]


class ScriptedCompute:
    """``conn.compute`` of one pod: answers from the cloud's script."""

    def __init__(self, cloud: FakeCloud, pod: Pod) -> None:
        self.cloud = cloud
        self.pod = pod

    def get_endpoint(self) -> str:
        return self.cloud.novas[self.pod.id].root + '/v2.1'

    def request(self, path: str, method: str, json: Any = None,
                params: Any = None, microversion: str | None = None,
                headers: Mapping[str, str] | None = None,
                raise_exc: bool = True) -> requests.Response:
        self.cloud.calls.append(PodCall(self.pod.name, method, path, json,
                                        microversion, dict(headers or {})))
        if self.pod.id in self.cloud.unreachable:
            raise ks_exc.ConnectFailure('connection refused')
        answers = self.cloud.pod_answers.get((self.pod.name, method, path))
        if not answers:
            return fakes.fault(404, 'no script for this call')
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeCloud(fakes.FakeGateway):
    """The compute tests' gateway over two pods whose answers are
    scripted; loads the installed actions (or ``plugins`` when set) and
    records policy checks with their targets."""

    def __init__(self) -> None:
        super().__init__(pods=2)
        self.unreachable: set[str] = set()
        self.pod_answers: dict[tuple[str, str, str], list[Answer]] = {}
        self.calls: list[PodCall] = []
        self.targets: list[tuple[str, Mapping[str, Any] | None]] = []
        self.denied: set[str] = set()
        self.plugins: dict[str, Any] | None = None

    def answer(self, pod: Pod, method: str, path: str,
               *answers: Answer) -> None:
        self.pod_answers[(pod.name, method, path)] = list(answers)

    def calls_to(self, method: str) -> list[PodCall]:
        return [call for call in self.calls if call.method == method]

    def routing(self, top_id: str) -> Routing | None:
        return self.routings.get((top_id, 'server'))

    def connect(self, context: Any, pod: Pod) -> Any:
        return types.SimpleNamespace(compute=ScriptedCompute(self, pod))

    def enforce(self, context: Any, rule: str,
                target: Mapping[str, Any] | None = None) -> None:
        self.targets.append((rule, target))
        if rule in self.denied:
            raise Forbidden(f"Policy doesn't allow {rule} to be performed.")

    def load_plugins(self, group: str,
                     enabled: Iterable[str] | None) -> dict[str, Any]:
        if self.plugins is not None:
            return dict(self.plugins)
        installed = {ep.name: ep for ep in metadata.entry_points(group=group)}
        names = list(installed if enabled is None else enabled)
        return {name: installed[name].load()() for name in names}


#: the pods of a two-pod fake gateway: Pod1 (az1) and Pod2 (az2)
POD1, POD2 = fakes.FakeGateway(pods=2).pods


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
    microversions.negotiate_request(request,
                                    microversions.KNOWN_MAX_VERSION)
    return request


@pytest.fixture
def dispatcher(cloud: FakeCloud) -> dispatch.ActionDispatcher:
    """A dispatcher of every installed action, on the fake cloud."""
    return dispatch.ActionDispatcher(types.SimpleNamespace(gateway=cloud))


@pytest.fixture
def post(dispatcher: dispatch.ActionDispatcher) -> Post:
    """``post(body, server_id=SERVER, **make_request_options)``: run one
    action through ``dispatcher``."""

    def run(body: Any, server_id: str = SERVER,
            **options: Any) -> webob.Response:
        return dispatcher.action(make_request(body, server_id, **options),
                                 server_id)

    return run
