"""The ``least-loaded`` policy: the pod with the most room."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import SchedulingPolicy


class LeastLoadedPolicy(SchedulingPolicy):
    """Bind a project to the pod of the zone with the most free capacity.

    Free capacity is what the pods report (``[scheduler]
    capacity_source``); when a candidate has no fresh figure, the pod
    with the fewest routed resources is taken instead. Ties go to the
    pod name that sorts first.
    """

    wants_capacity: ClassVar[bool] = True

    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        if all(pod.id in spec.capacity for pod in candidates):
            return min(candidates,
                       key=lambda pod: (-spec.capacity[pod.id], pod.name))
        return min(candidates,
                   key=lambda pod: (spec.routed.get(pod.id, 0), pod.name))
