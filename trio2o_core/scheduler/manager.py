"""Picks the pod for a new resource and persists the tenant's binding."""

from __future__ import annotations

import collections
from collections.abc import Callable

from trio2o_core.db import api as db
from trio2o_core.plugin import exceptions
from trio2o_core.plugin.scheduler import RequestSpec
from trio2o_core.plugin.scheduler import SchedulingPolicy
from trio2o_core.plugin.types import Pod

#: binding key used when a create request names no availability zone
ANY_AZ = ''


class Scheduler:
    """Applies a :class:`SchedulingPolicy` once per (project, AZ).

    The first create of a project in an AZ asks the policy and stores its
    answer as the project's active binding (race-free across workers);
    later creates reuse the binding while its pod stays enabled.
    """

    def __init__(self, policy: SchedulingPolicy,
                 list_pods: Callable[[], list[Pod]],
                 is_down: Callable[[Pod], bool]) -> None:
        self.policy = policy
        self._list_pods = list_pods
        self._is_down = is_down

    def select(self, project_id: str, resource_type: str,
               az_name: str | None) -> Pod:
        """Return the pod that takes the new resource.

        :raises NoValidPod: the AZ has no enabled pod.
        :raises PodUnavailable: the bound pod is down.
        """
        pods = [p for p in self._list_pods() if p.enabled]
        in_az = [p for p in pods if az_name is None or p.az_name == az_name]
        if not in_az:
            raise exceptions.NoValidPod(
                'The requested availability zone is not available',
                f'no enabled pod in availability zone {az_name!r}')
        by_id = {p.id: p for p in in_az}

        def choose() -> str:
            up = [p for p in in_az if not self._is_down(p)]
            if not up:
                raise exceptions.NoValidPod(
                    'No valid host was found. There are not enough hosts '
                    'available.', f'every pod of {az_name!r} is down')
            counts = collections.Counter(
                b.pod_id for b in db.list_bindings(is_active=True))
            spec = RequestSpec(project_id, resource_type, az_name,
                               {p.id: counts[p.id] for p in up})
            return self.policy.select_pod(spec, up).id

        key = ANY_AZ if az_name is None else az_name
        binding = db.get_or_create_active_binding(project_id, key, choose)
        pod = by_id.get(binding.pod_id)
        if pod is None:
            # The bound pod was disabled or left the zone: bind anew.
            db.deactivate_binding(binding.id)
            binding = db.get_or_create_active_binding(project_id, key,
                                                      choose)
            pod = by_id[binding.pod_id]
        if self._is_down(pod):
            raise exceptions.PodUnavailable(pod.name)
        return pod
