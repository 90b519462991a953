"""The core's :class:`~trio2o_core.plugin.podcall.PodCaller`: pod calls
over one shared HTTP pool, with the pod health and the fan-out pool of
the process."""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import requests
import webob
from keystoneauth1 import exceptions as ks_exc

from trio2o_core.plugin import jsoncodec
from trio2o_core.plugin import links
from trio2o_core.plugin.exceptions import PodFailed
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.microversion import VERSION_KEY
from trio2o_core.plugin.podcall import Gathered
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import PodRefused
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.podcall import RawBody
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.fanout import Fanout
from trio2o_core.pods.federation import PodIdentityRefused
from trio2o_core.pods.federation import is_k2k
from trio2o_core.pods.health import PodHealth
from trio2o_core.pods.translation import Walk
from trio2o_core.pods.translation import Zones
from trio2o_core.pods.translation import body_rewrite
from trio2o_core.pods.transport import PodNotReached

if TYPE_CHECKING:
    from trio2o_core.metrics import PodMetrics

LOG = logging.getLogger(__name__)
T = TypeVar('T')

#: what "the pod did not answer" is, whichever HTTP stack raised it
UNREACHABLE: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError, requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError, ks_exc.ConnectionError,
    TimeoutError, ConnectionError)
#: statuses with which a proxy in front of a pod says the pod's answer
#: did not reach it (bad gateway, gateway timeout)
LOST_ANSWER = (502, 504)
#: headers of a pod answer passed on to the client by :meth:`relay`; the
#: pod's request id is the one it records (a server's instance actions,
#: Cinder's user messages), so a relayed answer names it, not the
#: gateway's (which the pod was sent as the global request id)
PASSED_HEADERS = ('Retry-After', 'Content-Type', 'X-OpenStack-Request-ID',
                  'X-Compute-Request-ID')
USER_AGENT = 'trio2o'


def answer_lost(exc: BaseException) -> bool:
    """Whether an unreachable-pod error happened after the call was sent
    (so the pod may have acted): anything but a failed or timed-out
    connect."""
    return not isinstance(exc, (PodNotReached,
                                requests.exceptions.ConnectTimeout,
                                ks_exc.ConnectTimeout,
                                ks_exc.ConnectFailure))


@functools.lru_cache(maxsize=1024)
def _root(suffix: str, endpoint: str) -> str:
    """``endpoint`` without its version ``suffix`` (a pattern) and end
    slash: the base of the hrefs a pod writes (read for every answer
    translated)."""
    pattern = (re.compile(f'(?:{suffix})/?$') if suffix
               else re.compile('/$'))
    return pattern.sub('', endpoint.rstrip('/'))


class CorePodCaller(PodCaller):
    """Pod calls as one request's caller, for one service.

    :param timeout: seconds before a fan-out call counts as unreachable.
    :param metrics: where calls are counted, if metrics are enabled.
    """

    def __init__(self, request: webob.Request, api: ServiceAPI,
                 connector: PodConnector, health: PodHealth,
                 fanout: Fanout, timeout: float,
                 metrics: PodMetrics | None = None) -> None:
        self.api = api
        self.context = request.environ.get(CONTEXT_KEY)
        self.version = request.environ.get(VERSION_KEY)
        self.gateway_url = links.gateway_url(request)
        self.language = request.headers.get('Accept-Language')
        self._connector = connector
        self._health = health
        self._fanout = fanout
        self._timeout = timeout
        self._metrics = metrics
        #: the pods' translations, made on first use (a merged list
        #: translates every record it shows)
        self._translations: dict[tuple[str, bool], Walk] = {}

    @property
    def request_id(self) -> str | None:
        if self.context is None:
            return None
        return self.context.global_request_id or self.context.request_id

    # single calls

    def call(self, target: Pod | Routing, method: str, path: str, *,
             json: Any = None, data: RawBody | None = None,
             params: Sequence[tuple[str, str]] | Mapping[str, Any]
             | None = None,
             headers: Mapping[str, str] | None = None,
             microversion: str | None = None,
             stream: bool = False) -> PodReply:
        pod = target.pod if isinstance(target, Routing) else target
        if self._health.is_down(pod.id):
            raise PodUnavailable(pod.name, f'{pod.name} is marked down')
        if not pod.enabled:
            raise PodUnavailable(pod.name, f'{pod.name} is disabled')
        url = self.endpoint(pod)
        if path:
            url = url.rstrip('/') + '/' + path.lstrip('/')
        version = microversion or (str(self.version) if self.version
                                   else None)
        return self.send(pod, method, url, json=json, data=data,
                         params=params, headers=headers, version=version,
                         stream=stream)

    def send(self, pod: Pod, method: str, url: str, *, json: Any = None,
             data: RawBody | None = None,
             params: Sequence[tuple[str, str]] | Mapping[str, Any]
             | None = None,
             headers: Mapping[str, str] | None = None,
             version: str | None = None,
             stream: bool = False) -> PodReply:
        """Send one call to an absolute ``url`` of ``pod`` (see
        :meth:`call`), with the caller's token, or for a ``k2k`` pod the
        token exchanged for it (exchanged again once if the pod refuses
        a cached one).

        :raises PodUnavailable: the pod cannot be reached.
        :raises PodIdentityRefused: no token of a ``k2k`` pod's Keystone.
        """
        sent = {'User-Agent': USER_AGENT}
        k2k = is_k2k(pod) and self._connector.federation is not None
        if k2k:
            sent['X-Auth-Token'] = self._pod_token(pod)
        elif self.context is not None and self.context.auth_token:
            sent['X-Auth-Token'] = self.context.auth_token
        if self.request_id:
            sent['X-OpenStack-Request-ID'] = self.request_id
        if self.language:
            sent['Accept-Language'] = self.language
        if version and self.api.microversions:
            sent.update(self.api.microversions.request_headers(version))
        sent.update(headers or {})
        started = time.monotonic()
        try:
            reply = self._connector.send(method, url, json=json, data=data,
                                         params=params, headers=sent,
                                         stream=stream)
            if k2k and reply.status_code == 401 and data is None:
                reply = self._with_new_token(pod, reply, method, url,
                                             json, params, sent, stream)
        except UNREACHABLE as exc:
            self._health.failed(pod.id)
            if self._metrics:
                self._metrics.unreachable(pod, self.api.catalog_service,
                                          method)
            raise PodUnavailable(pod.name, f'{pod.name}: {exc}',
                                 answer_lost=answer_lost(exc)) from None
        if reply.status_code in LOST_ANSWER:
            self._health.failed(pod.id)
            if self._metrics:
                self._metrics.unreachable(pod, self.api.catalog_service,
                                          method)
            if stream:
                reply.close()
            raise PodUnavailable(
                pod.name, f'{pod.name}: a proxy answered '
                          f'{reply.status_code} for {method} {url}',
                answer_lost=True)
        self._health.succeeded(pod.id)
        if self._metrics:
            self._metrics.answered(pod, self.api.catalog_service, method,
                                   reply.status_code,
                                   time.monotonic() - started)
        return reply

    def _pod_token(self, pod: Pod) -> str:
        assert self._connector.federation is not None
        return self._connector.federation.token(self.context, pod).token

    def _with_new_token(self, pod: Pod, refused: PodReply, method: str,
                        url: str, json: Any, params: Any,
                        sent: dict[str, str], stream: bool) -> PodReply:
        """Send again with a new exchanged token: the pod refused the
        cached one (revoked or expired in the pod)."""
        refused.close()
        assert self._connector.federation is not None
        self._connector.federation.forget(self.context, pod)
        sent['X-Auth-Token'] = self._pod_token(pod)
        return self._connector.send(method, url, json=json, params=params,
                                    headers=sent, stream=stream)

    def endpoint(self, pod: Pod) -> str:
        """The service's endpoint in ``pod``.

        :raises PodUnavailable: neither the catalog nor configuration
            names one.
        """
        service = self.api.catalog_service
        url = (self._connector.endpoint(self.context, pod, service)
               if service else None)
        if not url:
            raise PodUnavailable(
                pod.name, f'no {self.api.catalog_service} endpoint of pod '
                          f'{pod.name} in the catalog')
        return url

    def root(self, pod: Pod) -> str:
        return _root(self.api.version_suffix, self.endpoint(pod))

    def json(self, target: Pod | Routing, path: str, *,
             params: Sequence[tuple[str, str]] | Mapping[str, Any]
             | None = None,
             microversion: str | None = None,
             expect: tuple[int, ...] = (200,)) -> Any:
        pod = target.pod if isinstance(target, Routing) else target
        reply = self.call(pod, 'GET', path, params=params,
                          microversion=microversion)
        if reply.status_code not in expect:
            raise PodRefused(pod, reply)
        try:
            return reply.json()
        except ValueError:
            raise PodRefused(pod, reply) from None

    # answers

    def translate(self, pod: Pod, value: Any, *,
                  in_place: bool = False) -> Any:
        translation = self._translations.get((pod.id, in_place))
        if translation is None:
            translation = Walk(self.root(pod), self.gateway_url,
                               self._zones(pod), in_place)
            self._translations[(pod.id, in_place)] = translation
        value = translation.of(value)
        if self._pod_project(pod):
            # the caller's project inside the pod is theirs at the gateway
            value = _replace_text(value, self._connector.federation.token(
                self.context, pod).project_id, self.context.project_id)
        return value

    def translated_json(self, pod: Pod, reply: PodReply) -> Any:
        rewritten = self._rewritten(pod, reply.content)
        if rewritten is None:
            return self.translate(pod, reply.json(), in_place=True)
        return jsoncodec.loads(rewritten)

    def _rewritten(self, pod: Pod, body: bytes) -> bytes | None:
        """``body`` translated on its bytes, or None where only the walk
        can (a ``k2k`` pod's project, escaped text)."""
        if self._pod_project(pod):
            return None
        return body_rewrite(self.root(pod), self.gateway_url,
                            self._zones(pod)).apply(body)

    def _zones(self, pod: Pod) -> Zones | None:
        return ((self.api.zone_keys, pod.pod_az_name, pod.az_name)
                if pod.pod_az_name and pod.az_name and self.api.zone_keys
                else None)

    def _pod_project(self, pod: Pod) -> bool:
        """Whether the caller has a project of its own in ``pod`` (a
        ``k2k`` pod), which answers show as the caller's."""
        return bool(is_k2k(pod) and self._connector.federation is not None
                    and self.context is not None
                    and self.context.project_id)

    def relay(self, pod: Pod, reply: PodReply) -> webob.Response:
        status = reply.status_code
        if status >= 500 and status not in (501, 503):
            LOG.error('pod %s answered %s (request %s): %.500r', pod.name,
                      status, self.request_id, reply.content)
            raise PodFailed(pod.name, status)
        response = webob.Response(status=status)
        for name in PASSED_HEADERS:
            if name in reply.headers:
                response.headers[name] = reply.headers[name]
        if 'Location' in reply.headers:
            response.headers['Location'] = self.translate(
                pod, reply.headers['Location'])
        if not reply.content:
            response.body = b''
            return response
        content = reply.content
        if 'json' in reply.headers.get('Content-Type', ''):
            rewritten = self._rewritten(pod, content)
            if rewritten is not None:
                response.content_type = 'application/json'
                response.body = rewritten
                return response
        try:
            body = reply.json()
        except ValueError:
            response.body = content
            return response
        response.content_type = 'application/json'
        response.body = jsoncodec.dumps(self.translate(pod, body))
        return response

    # many pods

    def gather(self, pods: Iterable[Pod], fetch: Callable[[Pod], T],
               timeout: float | None = None) -> Gathered[T]:
        pods = list(pods)
        result: Gathered[T] = Gathered({pod.id: pod for pod in pods})
        up = []
        for pod in pods:
            (result.down if self._health.is_down(pod.id) else up).append(pod)
        started = time.monotonic()
        answers = self._fanout.run(
            lambda pod_id: fetch(result.pods[pod_id]),
            [pod.id for pod in up],
            self._timeout if timeout is None else timeout)
        if self._metrics and up:
            self._metrics.fanned_out(self.api.catalog_service,
                                     time.monotonic() - started)
        for pod in up:
            answer = answers[pod.id]
            if isinstance(answer, PodRefused):
                result.refused[pod.id] = answer
            elif isinstance(answer, (PodUnavailable, PodIdentityRefused,
                                     *UNREACHABLE)):
                if not isinstance(answer, (PodUnavailable,
                                           PodIdentityRefused)):
                    self._health.failed(pod.id)
                LOG.warning('pod %s left out (request %s): %s', pod.name,
                            self.request_id, _operator_text(answer))
                result.down.append(pod)
            elif isinstance(answer, BaseException):
                LOG.error('pod %s call failed (request %s)', pod.name,
                          self.request_id, exc_info=answer)
                result.failed.append(pod)
            else:
                result.ok[pod.id] = answer
        return result


def _operator_text(exc: BaseException) -> str:
    return getattr(exc, 'operator_message', None) or str(exc)


def _replace_text(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new) if old in value else value
    if isinstance(value, list):
        return [_replace_text(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace_text(item, old, new)
                for key, item in value.items()}
    return value
