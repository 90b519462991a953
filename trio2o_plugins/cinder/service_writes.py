"""``PUT /v3/os-services/{action}``: service writes, made in the pods
that run the service.

A host (or cluster) names services of one pod, or of several when the
pods' hosts share a name. ``enable``, ``disable``, ``disable-log-reason``,
``freeze``, ``thaw``, ``failover_host`` and ``failover`` go to every
enabled pod whose service list shows the body's ``host`` (or
``cluster``), all or none through :mod:`trio2o_plugins.cinder.fanout`:
a pod that refuses has the pods done before it put back as they were
(enabled or disabled with their reason, frozen or thawed; a failover is
not undone). A host no pod shows is judged by the first enabled pod, so
Cinder's own 404 or 400 is the answer, or a 503 naming a pod that might
hold it and could not be asked. ``set-log`` is applied to every enabled
pod; ``get-log`` lists every pod's services. The pods judge who may
write (a non-admin gets the first pod's 403).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from functools import partial
from typing import Any

import webob

from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_plugins.cinder import fanout
from trio2o_plugins.cinder.type_writes import sent_body

Row = dict[str, Any]
#: the writes aimed at a host's services
HOST_ACTIONS = frozenset({'enable', 'disable', 'disable-log-reason',
                          'freeze', 'thaw', 'failover_host', 'failover'})


def _holds(row: Row, body: Row) -> bool:
    """Whether a service row is one the write's body names."""
    host, cluster = body.get('host'), body.get('cluster')
    return bool((host and row.get('host') == host)
                or (cluster and row.get('cluster') == cluster))


def _restore(action: str, rows: Sequence[Row]) -> tuple[str, Row] | None:
    """The write putting back what ``action`` changes in ``rows`` (the
    services it names, as listed before it), or None."""
    if action in ('freeze', 'thaw'):
        host = rows[0].get('host')
        frozen = any(row.get('frozen') for row in rows)
        return ('freeze' if frozen else 'thaw'), {'host': host}
    if action not in ('enable', 'disable', 'disable-log-reason'):
        return None
    row = rows[0]
    target = {'host': row.get('host'), 'binary': row.get('binary')}
    if row.get('status') == 'enabled':
        return 'enable', target
    if row.get('disabled_reason'):
        return 'disable-log-reason', {
            **target, 'disabled_reason': row['disabled_reason']}
    return 'disable', target


class ServiceWrites:
    """Enable, disable, freeze, thaw, fail over and set log levels of
    the pods' block-storage services."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [Route('/v3/os-services/{action}', {'PUT': self.write})]

    def write(self, request: webob.Request, action: str) -> webob.Response:
        """``PUT /os-services/{action}`` in the pods it concerns.

        :raises NoValidPod: no enabled pod.
        :raises PodUnavailable: a pod concerned (or that may be) is down.
        :raises PartlyApplied: a pod failed and an undo failed too.
        """
        caller = self.service.pods(request)
        body = request.json_body_or_none()
        pods = self.gateway.list_pods()
        if not pods:
            raise NoValidPod('No enabled pod serves the request.')
        send = partial(self._send, caller, action, sent_body(request))
        if action == 'set-log':
            return fanout.apply(caller, self.gateway, 'Service log level',
                                [fanout.Step(pod, partial(send, pod))
                                 for pod in pods])
        if action == 'get-log':
            return self._get_log(caller, pods, send)
        if action not in HOST_ACTIONS or not isinstance(body, dict):
            return caller.relay(pods[0], send(pods[0]))
        gathered = caller.gather(
            pods, lambda pod: caller.json(pod, 'os-services'))
        if gathered.refused:
            first = min(gathered.refused.values(),
                        key=lambda refused: refused.pod.name)
            return caller.relay(first.pod, first.reply)
        steps = []
        for pod, listed in gathered.items():
            rows = [row for row in listed.get('services', [])
                    if _holds(row, body)]
            if rows:
                steps.append(fanout.Step(
                    pod, partial(send, pod),
                    self._undo(caller, pod, action, rows)))
        if not steps:
            if gathered.missing:
                raise PodUnavailable(gathered.missing[0].name)
            return caller.relay(pods[0], send(pods[0]))
        return fanout.apply(caller, self.gateway, f'Service {action}',
                            steps)

    @staticmethod
    def _send(caller: PodCaller, action: str, sent: dict[str, Any],
              pod: Pod) -> PodReply:
        return caller.call(pod, 'PUT', f'os-services/{action}', **sent)

    @staticmethod
    def _undo(caller: PodCaller, pod: Pod, action: str,
              rows: Sequence[Row]) -> Callable[[], PodReply] | None:
        restore = _restore(action, rows)
        if restore is None:
            return None
        undo_action, undo_body = restore
        return partial(caller.call, pod, 'PUT', f'os-services/{undo_action}',
                       json=undo_body)

    def _get_log(self, caller: PodCaller, pods: Sequence[Pod],
                 send: Callable[[Pod], PodReply]) -> webob.Response:
        """Every pod's ``get-log`` answer, one list."""
        gathered = caller.gather(pods, send)
        answers = gathered.items()
        for pod, reply in answers:
            if reply.status_code != 200:
                return caller.relay(pod, reply)
        if not answers:
            raise PodUnavailable(gathered.missing[0].name)
        levels = [entry for _pod, reply in answers
                  for entry in reply.json().get('log_levels', [])]
        response = json_response({'log_levels': levels})
        gathered.mark_partial(response)
        return response
