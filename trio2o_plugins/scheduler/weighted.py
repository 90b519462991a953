"""The ``weighted`` policy: projects spread in proportion to weights."""

from __future__ import annotations

from collections.abc import Sequence

from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import SchedulingPolicy


class WeightedPolicy(SchedulingPolicy):
    """Bind projects to the pods of a zone in proportion to their weights.

    The pod with the highest weight per project already bound (weight /
    (bound + 1)) is taken; a pod of weight 0 is never chosen. Ties go to
    the heavier pod, then to the name that sorts first.

    :raises NoValidPod: every candidate has weight 0.
    """

    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        weighed = [pod for pod in candidates
                   if spec.weights.get(pod.id, pod.weight) > 0]
        if not weighed:
            raise NoValidPod(
                'No valid host was found. There are not enough hosts '
                'available.', 'every candidate pod has weight 0')

        def share(pod: Pod) -> tuple[float, int, str]:
            weight = spec.weights.get(pod.id, pod.weight)
            return (-weight / (spec.bindings.get(pod.id, 0) + 1), -weight,
                    pod.name)

        return min(weighed, key=share)
