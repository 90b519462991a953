"""Scheduling policies: which pod takes a new resource."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import ClassVar

from trio2o_core.plugin.exceptions import NoValidPod
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.version import PLUGIN_API_VERSION


@dataclasses.dataclass(frozen=True)
class RequestSpec:
    """What is being placed: for whom, of which kind, in which zone, and
    what the pods know of their load.

    ``flavor`` (servers: the flavor id as the caller gave it), ``image``
    (the image id), ``volume_type`` (volumes: the type name or id as
    given) and ``size`` (GiB) describe the resource; ``hints`` are the
    caller's scheduler hints, as sent. By candidate pod id:
    ``bindings`` counts the projects actively bound, ``routed`` the live
    resources routed, ``weights`` the operator's weight and ``capacity``
    the free capacity the pod last reported (only pods with a fresh
    report are present, and only for a policy that ``wants_capacity``).
    """

    project_id: str
    resource_type: str
    az_name: str | None
    bindings: Mapping[str, int] = dataclasses.field(default_factory=dict)
    flavor: str | None = None
    image: str | None = None
    volume_type: str | None = None
    size: int | None = None
    hints: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    routed: Mapping[str, int] = dataclasses.field(default_factory=dict)
    weights: Mapping[str, int] = dataclasses.field(default_factory=dict)
    capacity: Mapping[str, float] = dataclasses.field(default_factory=dict)


class SchedulingPolicy(abc.ABC):
    """Chooses a pod among the candidates of a zone: enabled, reachable,
    not draining, and offering the requested flavor or volume type.

    The core persists the choice as the project's binding in the zone,
    so a policy is asked once per (project, zone) until the binding
    moves (its pod disabled, down, draining or full). Scheduler hints
    that name a pod (``trio2o:pod``, ``trio2o:same_pod_as``) are
    resolved by the core before any policy is asked.
    """

    plugin_api: ClassVar[int] = PLUGIN_API_VERSION
    #: whether the core should gather the pods' free capacity into
    #: :attr:`RequestSpec.capacity` (it costs a call per pod and refresh)
    wants_capacity: ClassVar[bool] = False

    @abc.abstractmethod
    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        """Return one of ``candidates`` (never empty).

        :raises NoValidPod: none of them suits ``spec``.
        """

    def describe(self) -> str:
        """One line for ``trio2o-manage plugins list``."""
        return (self.__doc__ or type(self).__name__).strip().splitlines()[0]


#: statuses a pod refuses a create with for want of quota
_QUOTA_STATUSES = (403, 413)


def refused_for_room(answer: PodReply) -> bool:
    """Whether a pod's answer to a create says it has no room for it: no
    valid host, or the project's quota in that pod exceeded (Nova's 403,
    Cinder's 413). A service driver then asks
    ``Gateway.schedule(..., refused=pod)`` for the pod to retry in."""
    if answer.status_code < 400:
        return False
    lowered = answer.content.decode('utf-8', 'replace').lower()
    return ('no valid host' in lowered or 'novalidhost' in lowered
            or (answer.status_code in _QUOTA_STATUSES
                and 'quota' in lowered))


def create_with_retry(pod: Pod, scheduled: bool,
                      send: Callable[[Pod], PodReply],
                      reschedule: Callable[[Pod], Pod]
                      ) -> tuple[Pod, PodReply]:
    """Send a create to ``pod`` and, when the scheduler picked it by the
    project's binding (``scheduled``) and it is unreachable or refuses
    for want of room (:func:`refused_for_room`), once more to the pod
    the binding moves to, ``reschedule(pod)``.

    Return the pod asked last and its answer, whatever its status (or,
    when ``reschedule`` raises :class:`NoValidPod` after a refusal,
    ``pod`` and its refusal).

    :raises PodUnavailable: at once when a pod's answer was lost (it may
        have acted); when an unreachable pod is not ``scheduled`` or is
        the one retried in; or, with the first pod's error, when
        ``reschedule`` raises :class:`NoValidPod`.
    """
    try:
        answer = send(pod)
    except PodUnavailable as exc:
        if exc.answer_lost or not scheduled:
            raise
        refusal: PodUnavailable | PodReply = exc
    else:
        if not (scheduled and refused_for_room(answer)):
            return pod, answer
        refusal = answer
    try:
        elsewhere = reschedule(pod)
    except NoValidPod:
        if isinstance(refusal, PodUnavailable):
            raise refusal from None
        return pod, refusal
    return elsewhere, send(elsewhere)
