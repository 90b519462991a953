"""``GET /v3/os-services`` and ``/scheduler-stats/get_pools``: every
enabled pod's rows, one list.

Each pod is asked with the request's query (filters such as ``host`` and
``binary`` are the pod's to judge; a pod's refusal, e.g. 403 for a
non-admin, is the answer). The rows follow pod order (pods by name),
each pod's in its own order. A row names its pod through the zone: a
service's ``zone`` is shown as the zone users know (the pod's
``az_name``). Hosts and pool names stay the pod's own, the names a
volume's ``os-vol-host-attr:host`` carries, so a volume's host is found
in the service list; an extra key would break clients that check
Cinder's schema strictly. Pods that cannot be reached are left out and
named in ``X-Trio2o-Partial``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response

Row = dict[str, Any]


def _service_row(pod: Pod, row: Row) -> Row:
    """A service row with the pod's zone as users know it."""
    if pod.az_name and row.get('zone') in (pod.pod_az_name, None):
        return {**row, 'zone': pod.az_name}
    return row


class AdminLists:
    """The merged admin lists of the block-storage service."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v3/os-services', {'GET': self.services}),
            Route('/v3/scheduler-stats/get_pools', {'GET': self.pools}),
        ]

    def services(self, request: webob.Request) -> webob.Response:
        """``GET /os-services`` merged over the enabled pods."""
        return self._merged(request, 'os-services', 'services',
                            _service_row)

    def pools(self, request: webob.Request) -> webob.Response:
        """``GET /scheduler-stats/get_pools`` merged over the pods."""
        return self._merged(request, 'scheduler-stats/get_pools', 'pools')

    def _merged(self, request: webob.Request, path: str, key: str,
                shown: Callable[[Pod, Row], Row] | None = None
                ) -> webob.Response:
        caller = self.service.pods(request)
        params = list(request.GET.items())
        gathered = caller.gather(self.gateway.list_pods(),
                                 lambda pod: caller.json(pod, path,
                                                         params=params))
        if gathered.refused:
            first = min(gathered.refused.values(),
                        key=lambda refused: refused.pod.name)
            return caller.relay(first.pod, first.reply)
        rows = [caller.translate(pod, shown(pod, row) if shown else row)
                for pod, body in gathered.items()
                for row in body.get(key, [])]
        response = json_response({key: rows})
        gathered.mark_partial(response)
        return response
