"""The compute resources answered by forwarding to pods: the base of
every resource family, and the reads and writes passed on as they are.

The image proxy (before 2.36), quota and quota class reads, key pair
reads and extensions come from the first up enabled pod (by name; the
next one when it cannot be reached). Quota and quota class updates,
quota resets and key pair deletes go to every enabled pod; writes that
must land in every pod or none (key pairs, flavors) go through
:meth:`PodResources.every_pod_or_none`.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Gathered
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward

LOG = logging.getLogger(__name__)

_SAFE = '/:@!$&\'()*+,;=-._~'
#: a pod call: method, path (under the endpoint) and JSON body
PodWrite = tuple[str, str, Any]


def pod_path(request: webob.Request) -> str:
    """The request's path under ``/v2.1``, quoted for a pod."""
    path = request.path_info.split('/v2.1/', 1)[1]
    return urllib.parse.quote(path, safe=_SAFE)


def host_in(host: Any, pod: Pod) -> Any:
    """A host name as the gateway shows it: ``<host>@<pod name>``."""
    return f'{host}@{pod.name}' if isinstance(host, str) else host


class PodResources:
    """Resources forwarded to the first up pod or to every pod; the
    families of resources build on its helpers."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def routes(self) -> Sequence[Route]:
        first = self.first_pod
        every = self.every_pod
        return [
            Route('/v2.1/images', {'GET': first}),
            Route('/v2.1/images/detail', {'GET': first}),
            Route('/v2.1/images/{image_id}', {'GET': first,
                                              'DELETE': first}),
            Route('/v2.1/images/{image_id}/metadata',
                  {'GET': first, 'POST': first, 'PUT': first}),
            Route('/v2.1/images/{image_id}/metadata/{key}',
                  {'GET': first, 'PUT': first, 'DELETE': first}),
            Route('/v2.1/os-keypairs/{name}', {'GET': first,
                                               'DELETE': every}),
            Route('/v2.1/os-quota-sets/{project_id}',
                  {'GET': first, 'PUT': every, 'DELETE': every}),
            Route('/v2.1/os-quota-sets/{project_id}/detail',
                  {'GET': first}),
            Route('/v2.1/os-quota-sets/{project_id}/defaults',
                  {'GET': first}),
            Route('/v2.1/os-quota-class-sets/{class_name}',
                  {'GET': first, 'PUT': every}),
            Route('/v2.1/extensions', {'GET': first}),
            Route('/v2.1/extensions/{alias}', {'GET': first}),
        ]

    # pods

    def _up_pods(self) -> list[Pod]:
        """Return the enabled pods not known to be down.

        :raises PodUnavailable: there is none.
        """
        pods = self.gateway.list_pods()
        up = [pod for pod in pods if not self.gateway.is_down(pod)]
        if not up:
            raise PodUnavailable(', '.join(p.name for p in pods) or 'none')
        return up

    def _all_pods_up(self, pods: Sequence[Pod] | None = None
                     ) -> list[Pod]:
        """Return every enabled pod (or ``pods``).

        :raises PodUnavailable: one of them is down (named), or there is
            none.
        """
        pods = list(self.gateway.list_pods() if pods is None else pods)
        for pod in pods:
            if self.gateway.is_down(pod):
                raise PodUnavailable(pod.name)
        if not pods:
            raise PodUnavailable('none')
        return pods

    def _call(self, request: webob.Request, pod: Pod, method: str,
              path: str, body: Any = None,
              params: Any = None) -> PodReply:
        return forward.pods(self.gateway, request).call(
            pod, method, path, json=body,
            params=forward.query(request) if params is None else params)

    def _answer(self, request: webob.Request, pod: Pod,
                answer: PodReply) -> webob.Response:
        return forward.pods(self.gateway, request).relay(pod, answer)

    def _gathered(self, request: webob.Request, pods: Sequence[Pod],
                  path: str,
                  params: Sequence[tuple[str, str]] | None = None
                  ) -> tuple[PodCaller, Gathered[PodReply],
                             webob.Response | None]:
        """``GET`` ``path`` (with the request's query unless ``params``)
        from ``pods`` in parallel; return the caller, what the pods gave,
        and the answer of the first pod that refused (or None)."""
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(pods, forward.getter(
            caller, path, forward.query(request) if params is None
            else params))
        return caller, gathered, forward.refusal(caller, gathered)

    def first_pod(self, request: webob.Request,
                  **_: str) -> webob.Response:
        """Forward the call to the first up enabled pod (the next when it
        cannot be reached).

        :raises PodUnavailable: no pod could be reached.
        """
        body = request.json_body_or_none()
        path = pod_path(request)
        *first, last = self._up_pods()
        for pod in first:
            try:
                answer = self._call(request, pod, request.method, path, body)
            except PodUnavailable:
                continue
            return self._answer(request, pod, answer)
        answer = self._call(request, last, request.method, path, body)
        return self._answer(request, last, answer)

    def every_pod(self, request: webob.Request,
                  **_: str) -> webob.Response:
        """Forward the call to every enabled pod; answer the first
        refusal, else the first pod's answer (a 404 only when every pod
        answered 404).

        :raises PodUnavailable: a pod is down (nothing is sent).
        """
        body = request.json_body_or_none()
        path = pod_path(request)
        answers = []
        for pod in self._all_pods_up():
            answer = self._call(request, pod, request.method, path, body)
            if answer.status_code >= 300 and answer.status_code != 404:
                return self._answer(request, pod, answer)
            answers.append((pod, answer))
        found = [(p, a) for p, a in answers if a.status_code != 404]
        pod, answer = (found or answers)[0]
        return self._answer(request, pod, answer)

    def every_pod_or_none(
            self, request: webob.Request,
            write: PodWrite | Callable[[Pod], PodWrite],
            undo: Callable[[PodReply], Sequence[PodWrite]],
            follow: Callable[[PodReply], PodWrite] | None = None,
            pods: Sequence[Pod] | None = None) -> webob.Response:
        """Send ``write`` (one call, or each pod's call ``write(pod)``)
        to every enabled pod (or to ``pods``), the first (which judges
        the request) first, then the others with ``follow(first
        answer)`` when given; answer the first pod's answer.

        When a later pod refuses or cannot be reached, each pod done is
        sent the calls ``undo(its answer)`` returns (a pod that fails
        one is logged with the request id) and the refusal is answered.
        Nothing is sent while a pod is down.

        :raises PodUnavailable: a pod is down, or stops answering.
        """
        def call_of(pod: Pod) -> PodWrite:
            return write(pod) if callable(write) else write

        first, *others = self._all_pods_up(pods)
        answer = self._call(request, first, *call_of(first), params=[])
        if answer.status_code >= 300 or not others:
            return self._answer(request, first, answer)
        done = [(first, undo(answer))]
        for pod in others:
            method, path, body = (call_of(pod) if follow is None
                                  else follow(answer))
            try:
                other = self._call(request, pod, method, path, body,
                                   params=[])
            except PodUnavailable:
                self._undo(request, done)
                raise
            if other.status_code >= 300:
                self._undo(request, done)
                return self._answer(request, pod, other)
            done.append((pod, undo(other)))
        return self._answer(request, first, answer)

    def _undo(self, request: webob.Request,
              done: Sequence[tuple[Pod, Sequence[PodWrite]]]) -> None:
        """Send each pod its calls; a call a pod fails (but a 404) is
        logged with the request id."""
        caller = forward.pods(self.gateway, request)
        for pod, calls in done:
            for method, path, body in calls:
                try:
                    status = caller.call(pod, method, path, json=body,
                                         params=[]).status_code
                except PodUnavailable as exc:
                    status = exc.code
                if status >= 300 and status != 404:
                    LOG.error('pod %s left changed after a failed write '
                              '(request %s): %s %s answered %s', pod.name,
                              caller.request_id, method, path, status)
