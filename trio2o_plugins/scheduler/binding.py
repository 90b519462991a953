"""The ``binding`` policy: bind each project to the least-bound pod."""

from __future__ import annotations

from collections.abc import Sequence

from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import SchedulingPolicy


class BindingPolicy(SchedulingPolicy):
    """Bind a project to the pod of the zone with the fewest projects.

    Ties go to the pod name that sorts first. The core keeps the choice
    as the project's binding, so a project stays in one pod per zone.
    """

    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        return min(candidates,
                   key=lambda pod: (spec.bindings.get(pod.id, 0), pod.name))
