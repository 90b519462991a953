"""A scheduling policy (``fewest-projects``): the candidate with the
fewest bound projects, then the fewest routed resources, by name on a
tie."""

from __future__ import annotations

from collections.abc import Sequence

from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import SchedulingPolicy


class FewestProjects(SchedulingPolicy):
    """Pick the pod with the fewest projects, then resources."""

    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        return min(candidates, key=lambda pod: (
            spec.bindings.get(pod.id, 0), spec.routed.get(pod.id, 0),
            pod.name))
