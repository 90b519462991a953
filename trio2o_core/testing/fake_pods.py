"""The pods of :class:`~trio2o_core.testing.fakes.FakeGateway`: the
calls they receive (:class:`PodRequest`), the handlers answering them
and the answers (:func:`pod_response`, :func:`refused`).

Example::

    def handler(call: PodRequest) -> requests.Response:
        return pod_response(200, {'widgets': [], 'path': call.path})

    gateway.serve(gateway.pod(1), handler)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import requests
from oslo_context import context as o_context

from trio2o_core.plugin import Pod
from trio2o_core.pods.transport import PodNotReached

#: what a scripted call answers: a pod answer, or an exception to raise
Answer = requests.Response | BaseException


def pod_response(status: int, body: Any = None,
                 headers: Mapping[str, str] | None = None
                 ) -> requests.Response:
    """Return a pod's HTTP answer with a JSON ``body`` (None: empty)."""
    response = requests.Response()
    response.status_code = status
    response.url = 'http://pod.example/'
    if body is not None:
        response._content = json.dumps(body).encode()
        response.headers['Content-Type'] = 'application/json'
    else:
        response._content = b''
    response.headers.update(headers or {})
    return response


def refused(url: str = 'http://pod.example/') -> requests.ConnectionError:
    """The error the HTTP stack raises when a pod refuses a connection
    (the call was not sent)."""
    return PodNotReached(f'cannot connect to {url}: Connection refused')


@dataclasses.dataclass
class PodRequest:
    """One call a fake pod received.

    ``path`` is relative to the service's endpoint in the pod
    (``/servers/x``; ``/`` for the endpoint itself), or the URL's whole
    path when the call went outside it.
    """

    pod: Pod
    method: str
    path: str
    params: list[tuple[str, str]]
    json: Any
    data: Any
    headers: dict[str, str]
    context: o_context.RequestContext | None

    @property
    def microversion(self) -> str | None:
        """The version of the ``OpenStack-API-Version`` header sent."""
        value = self.headers.get('OpenStack-API-Version')
        return value.split()[-1] if value else None

    @property
    def query(self) -> dict[str, str]:
        """The query parameters, the last of each name."""
        return dict(self.params)


#: a fake pod: answers one call
PodHandler = Callable[[PodRequest], requests.Response]


def unscripted(call: PodRequest) -> requests.Response:
    """A pod's answer to a call nothing scripted: 404."""
    return pod_response(404, {'itemNotFound': {
        'code': 404, 'message': f'no script for {call.method} {call.path}'}})
