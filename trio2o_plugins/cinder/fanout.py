"""Writes made in several pods at once: in all of them or in none.

Every pod must be up before anything is sent (else Cinder's 503 naming
the first pod down). The pods are called one after another; when one
refuses or cannot be reached, the pods already done are undone in reverse
order and the client gets the failing pod's own answer (or its 503). A
pod where the undo fails too keeps the write: the client then gets a 500
naming the pod that failed and the pods left changed, and the operator
a log line with the request id.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from collections.abc import Sequence

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import PluginError
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Step:
    """One pod's part of a write: ``do`` sends it, ``undo`` (None when
    there is nothing to take back) restores what the pod had."""

    pod: Pod
    do: Callable[[], PodReply]
    undo: Callable[[], PodReply] | None = None


class PartlyApplied(PluginError):
    """A write failed in one pod and could not be undone in others
    (500).

    :param failed: the pod that refused or could not be reached.
    :param kept: the pods still holding the write.
    """

    code = 500

    def __init__(self, what: str, failed: Pod, kept: Sequence[Pod]) -> None:
        names = ', '.join(pod.name for pod in kept)
        super().__init__(f'{what} failed in pod {failed.name} and could '
                         f'not be undone in pods {names}.')
        self.failed = failed
        self.kept = list(kept)


def require_up(gateway: Gateway, pods: Sequence[Pod]) -> None:
    """:raises PodUnavailable: one of ``pods`` is known down."""
    for pod in pods:
        if gateway.is_down(pod):
            raise PodUnavailable(pod.name)


def apply(caller: PodCaller, gateway: Gateway, what: str,
          steps: Sequence[Step]) -> webob.Response:
    """Run ``steps`` in order and answer as the first pod did.

    ``what`` names the write in messages (``Volume type update``).

    :raises NoValidPod: no step (no enabled pod).
    :raises PodUnavailable: a pod is down before anything is sent, or
        stops answering (the pods done are undone).
    :raises PartlyApplied: a pod failed and an undo failed too.
    :raises PodFailed: the first pod answered a 5xx.
    """
    if not steps:
        raise NoValidPod('No enabled pod serves the request.')
    require_up(gateway, [step.pod for step in steps])
    done: list[Step] = []
    replies: list[PodReply] = []
    for step in steps:
        try:
            reply = step.do()
        except PodUnavailable:
            _undo(caller, what, step.pod, done)
            raise
        if reply.status_code >= 300:
            _undo(caller, what, step.pod, done)
            return caller.relay(step.pod, reply)
        done.append(step)
        replies.append(reply)
    return caller.relay(steps[0].pod, replies[0])


def _undo(caller: PodCaller, what: str, failed: Pod,
          done: list[Step]) -> None:
    """Undo ``done`` in reverse order (a 404 counts as undone: the pod
    holds nothing of the write).

    :raises PartlyApplied: an undo failed.
    """
    kept: list[Pod] = []
    for step in reversed(done):
        if step.undo is None:
            continue
        try:
            status = step.undo().status_code
        except PodUnavailable as exc:
            status = exc.code
        if status >= 300 and status != 404:
            LOG.error('%s left in pod %s after pod %s failed (request %s): '
                      'the undo got %s', what, step.pod.name, failed.name,
                      caller.request_id, status)
            kept.append(step.pod)
    if kept:
        raise PartlyApplied(what, failed, sorted(kept,
                                                 key=lambda pod: pod.name))
