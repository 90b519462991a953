"""Picks the pod for a new resource and persists the tenant's binding."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from trio2o_core.db import api as db
from trio2o_core.db.models import PodBinding
from trio2o_core.plugin import exceptions
from trio2o_core.plugin.scheduler import RequestSpec
from trio2o_core.plugin.scheduler import SchedulingPolicy
from trio2o_core.plugin.types import Pod

#: binding key used when a create request names no availability zone
ANY_AZ = ''
#: moves of one binding a create may see (another worker may move it
#: to a pod this process does not see as usable yet)
MOVE_ATTEMPTS = 3
NO_HOST = 'No valid host was found. There are not enough hosts available.'
#: what a create is scheduled with: the pods (enabled or not) and the
#: project's active binding in the zone, if any (see
#: :func:`trio2o_core.db.api.pods_and_active_binding`)
PlacementState = tuple[list[Pod], PodBinding | None]


@dataclasses.dataclass(frozen=True)
class Placement:
    """One create to place: what the policy is told, plus the core's
    own constraints.

    ``offers`` says whether a pod has the flavor or volume type asked
    for (asked only of the pods a policy may choose from); ``refused``
    is the pod that just refused the create for want of room or quota:
    the binding moves away from it; ``pinned`` is the pod the scheduler
    hints name.
    """

    project_id: str
    resource_type: str
    az_name: str | None
    flavor: str | None = None
    image: str | None = None
    volume_type: str | None = None
    size: int | None = None
    hints: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    offers: Callable[[Pod], bool] | None = None
    refused: Pod | None = None
    pinned: Pod | None = None


class Scheduler:
    """Applies a :class:`SchedulingPolicy` once per (project, AZ).

    The first create of a project in an AZ asks the policy and stores its
    answer as the project's active binding (race-free across workers);
    later creates reuse the binding while its pod stays enabled, up and
    not draining, and while it does not refuse for want of room. Else
    the binding moves to the policy's choice among the other candidates,
    the old one kept inactive as history.
    """

    def __init__(self, policy: SchedulingPolicy,
                 read_state: Callable[[str, str], PlacementState],
                 is_down: Callable[[Pod], bool],
                 capacity: Callable[[list[Pod], str],
                                    Mapping[str, float]] | None = None
                 ) -> None:
        self.policy = policy
        self._read_state = read_state
        self._is_down = is_down
        self._capacity = capacity

    def select(self, placement: Placement) -> Pod:
        """Return the pod that takes the new resource.

        :raises NoValidPod: the AZ has no enabled pod (400 naming the
            zone), or none that may take the resource.
        :raises PodUnavailable: the pod the hints name is down, or the
            bound pod is down and no other can take the binding.
        """
        az_name = placement.az_name
        key = ANY_AZ if az_name is None else az_name
        pods, binding = self._read_state(placement.project_id, key)
        in_az = [p for p in pods
                 if p.enabled and (az_name is None or p.az_name == az_name)]
        if not in_az:
            raise exceptions.NoValidPod(
                'The requested availability zone is not available',
                f'no enabled pod in availability zone {az_name!r}')
        if placement.pinned is not None:
            return self._pinned(placement.pinned, in_az)
        by_id = {p.id: p for p in in_az}
        if binding is None:
            binding = db.get_or_create_active_binding(
                placement.project_id, key, lambda: self._choose(
                    placement, self._candidates(placement, in_az)))
        for _attempt in range(MOVE_ATTEMPTS):
            pod = by_id.get(binding.pod_id)
            if pod is not None and self._keeps(pod, placement):
                return pod
            # disabled, left the zone, down, draining or full: move
            try:
                candidates = self._candidates(placement, in_az)
            except exceptions.NoValidPod:
                # nowhere to go: the binding stays
                if pod is not None and self._is_down(pod):
                    raise exceptions.PodUnavailable(pod.name) from None
                raise
            binding = db.rebind(
                binding.id, placement.project_id, key,
                functools.partial(self._choose, placement, candidates))
        raise exceptions.NoValidPod(
            NO_HOST, f'the binding of project {placement.project_id} in '
                     f'zone {az_name!r} kept moving to pods this process '
                     'cannot use')

    def _keeps(self, pod: Pod, placement: Placement) -> bool:
        refused = placement.refused
        return not (pod.draining or self._is_down(pod)
                    or (refused is not None and refused.id == pod.id))

    def _pinned(self, pod: Pod, in_az: list[Pod]) -> Pod:
        if pod.id not in {p.id for p in in_az}:
            raise exceptions.NoValidPod(
                f'The pod the scheduler hints name ({pod.name}) does not '
                'serve the requested availability zone or is disabled.')
        if pod.draining:
            raise exceptions.NoValidPod(
                NO_HOST, f'the hinted pod {pod.name} is draining')
        if self._is_down(pod):
            raise exceptions.PodUnavailable(pod.name)
        return pod

    def _candidates(self, placement: Placement,
                    in_az: list[Pod]) -> list[Pod]:
        refused = placement.refused.id if placement.refused else None
        usable = [p for p in in_az if not p.draining and p.id != refused
                  and not self._is_down(p)]
        if placement.offers is not None:
            usable = [p for p in usable if placement.offers(p)]
        if not usable:
            raise exceptions.NoValidPod(
                NO_HOST, f'no pod of zone {placement.az_name!r} is up, '
                         'not draining and offers the flavor or volume '
                         'type asked for')
        return usable

    def _choose(self, placement: Placement, candidates: list[Pod]) -> str:
        bindings = db.count_active_bindings_per_pod()
        routed = db.count_routings_per_pod()
        capacity = (self._capacity(candidates, placement.resource_type)
                    if self._capacity and self.policy.wants_capacity
                    else {})
        spec = RequestSpec(
            placement.project_id, placement.resource_type,
            placement.az_name,
            bindings={p.id: bindings.get(p.id, 0) for p in candidates},
            flavor=placement.flavor, image=placement.image,
            volume_type=placement.volume_type, size=placement.size,
            hints=dict(placement.hints),
            routed={p.id: routed.get(p.id, 0) for p in candidates},
            weights={p.id: p.weight for p in candidates},
            capacity={k: v for k, v in capacity.items()
                      if k in {p.id for p in candidates}})
        chosen = self.policy.select_pod(spec, candidates)
        if chosen.id not in {p.id for p in candidates}:
            raise exceptions.PluginError(
                'Unexpected API Error. Please contact the administrator',
                f'policy {type(self.policy).__name__} chose pod '
                f'{chosen.name}, not a candidate')
        return chosen.id
