"""The pods' free capacity as they report it, cached per process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin.types import Pod

LOG = logging.getLogger(__name__)

#: resource type -> (service type, path, how to read the free amount)
SOURCES: dict[str, tuple[str, str, Callable[[Any], float]]] = {
    'server': ('compute', '/os-hypervisors/statistics',
               lambda body: float(body['hypervisor_statistics']
                                  ['free_ram_mb'])),
    'volume': ('volumev3', '/scheduler-stats/get_pools?detail=true',
               lambda body: sum(_gib(pool['capabilities'].get(
                   'free_capacity_gb')) for pool in body['pools'])),
}
def _gib(free: Any) -> float:
    """A pool's free GiB as Cinder tells it: a number, ``infinite`` or
    ``unknown`` (counted as none)."""
    if isinstance(free, str):
        if free.lower() == 'infinite':
            return float('inf')
        if free.lower() == 'unknown':
            return 0.0
    return float(free or 0)


#: Nova dropped the statistics at 2.88: ask with the last one serving it
COMPUTE_VERSION = 'compute 2.87'


class PodCapacity:
    """Free capacity per pod (free RAM in MiB for servers, free GiB of
    the volume pools for volumes), read with the gateway's service
    credentials.

    A pod's figure is read again once older than ``refresh`` seconds
    (at the next choice that needs it); a figure older than ``max_age``
    (its pod stopped answering) is left out, so the policy falls back
    on routed counts.
    """

    def __init__(self, session_factory: Callable[[], Any], interface: str,
                 refresh: float, max_age: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._session_factory = session_factory
        self._session: Any = None
        self._interface = interface
        self._refresh = refresh
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], tuple[float, float]] = {}

    def __call__(self, pods: list[Pod],
                 resource_type: str) -> Mapping[str, float]:
        """Return the fresh free capacity of ``pods`` by pod id (pods with
        no fresh figure are absent)."""
        if resource_type not in SOURCES:
            return {}
        now = self._clock()
        found = {}
        for pod in pods:
            key = (pod.id, resource_type)
            with self._lock:
                seen = self._seen.get(key)
            if seen is None or now - seen[0] >= self._refresh:
                free = self._read(pod, resource_type)
                if free is not None:
                    seen = (now, free)
                    with self._lock:
                        self._seen[key] = seen
            if seen is not None and now - seen[0] < self._max_age:
                found[pod.id] = seen[1]
        return found

    def _read(self, pod: Pod, resource_type: str) -> float | None:
        service, path, free = SOURCES[resource_type]
        try:
            if self._session is None:
                self._session = self._session_factory()
            answer = self._session.get(
                path, raise_exc=False,
                headers={'OpenStack-API-Version': COMPUTE_VERSION},
                endpoint_filter={'service_type': service,
                                 'region_name': pod.name,
                                 'interface': self._interface})
            if answer.status_code != 200:
                raise ValueError(f'HTTP {answer.status_code}')
            return free(answer.json())
        except Exception as exc:  # noqa: BLE001 - any failure: no figure
            LOG.warning('free capacity of pod %s for %ss unread: %s',
                        pod.name, resource_type, exc)
            return None
