"""The highest microversion the pods serve, per service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import MicroversionSpec
from trio2o_core.plugin.types import Pod
from trio2o_core.pods.caller import CorePodCaller

#: seconds a pod's advertised maximum is trusted
TTL = 600.0


def document_maximum(document: Any) -> APIVersion:
    """Return the highest ``version`` of a version document (one
    ``version`` record or a ``versions`` list, as Nova and Cinder write
    them).

    :raises ValueError: the document names no version.
    """
    if isinstance(document, dict) and isinstance(document.get('version'),
                                                 dict):
        records = [document['version']]
    elif isinstance(document, dict):
        records = document.get('versions') or []
    else:
        records = []
    found = [APIVersion.parse(record['version']) for record in records
             if isinstance(record, dict) and record.get('version')]
    if not found:
        raise ValueError('no version in the document')
    return max(found)


class PodVersions:
    """Remembers each pod's maximum per service for ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[APIVersion, float]] = {}
        self._lock = threading.Lock()

    def maximum(self, spec: MicroversionSpec, pods: Sequence[Pod],
                cap: APIVersion | None,
                caller: Callable[[], CorePodCaller] | None) -> APIVersion:
        """The highest version every pod of ``pods`` serves, capped by
        ``cap`` and the spec's known maximum.

        Pods not known for the last ``ttl`` seconds are asked with the
        pod caller ``caller`` makes (the request's token) when one is
        given; a pod whose
        document cannot be read does not lower the result (it is logged
        by the fan-out).
        """
        best = min(spec.known_maximum, cap) if cap else spec.known_maximum
        if caller is not None:
            self._refresh(spec, pods, caller)
        now = self._clock()
        with self._lock:
            for pod in pods:
                known = self._known.get((pod.id, spec.service))
                if known is not None and known[1] > now:
                    best = min(best, known[0])
        return best

    def _refresh(self, spec: MicroversionSpec, pods: Sequence[Pod],
                 make_caller: Callable[[], CorePodCaller]) -> None:
        now = self._clock()
        with self._lock:
            stale = [pod for pod in pods
                     if (pod.id, spec.service) not in self._known
                     or self._known[(pod.id, spec.service)][1] <= now]
        if not stale:
            return
        caller = make_caller()

        def read(pod: Pod) -> APIVersion:
            url = caller.root(pod) + '/' + spec.document_path
            reply = caller.send(pod, 'GET', url.rstrip('/') + '/',
                                version=str(spec.minimum))
            return document_maximum(reply.json())

        gathered = caller.gather(stale, read)
        with self._lock:
            for pod, version in gathered.items():
                self._known[(pod.id, spec.service)] = (version,
                                                       now + self.ttl)
