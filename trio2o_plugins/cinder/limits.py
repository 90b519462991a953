"""``GET /v3/limits``: the project's absolute limits over its pods.

The project may use one pod per availability zone: the pod holding its
volumes there, else the first enabled, up pod of the zone. Each of those
pods is asked for the caller's limits; the numbers are summed (a
``max*`` limit of -1, unlimited, in any pod stays -1). Pods that cannot
be reached are left out and named in ``X-Trio2o-Partial``.
"""

from __future__ import annotations

from typing import Any

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import json_response
from trio2o_plugins.cinder import routed


def project_pods(gateway: Gateway, request: webob.Request,
                 project_id: str | None = None,
                 skip_down: bool = True) -> list[Pod]:
    """One pod per zone the project may use (see the module): the
    caller's project, or ``project_id`` (of an admin's call). With
    ``skip_down`` false, a zone's first pod is taken even when down."""
    context = request.context
    other = project_id not in (None, context.project_id)
    chosen: dict[str | None, Pod] = {}
    for routing in gateway.list_routings(context,
                                         routed.VOLUME.resource_type,
                                         all_projects=other):
        if not other or routing.project_id == project_id:
            chosen.setdefault(routing.pod.az_name, routing.pod)
    for pod in gateway.list_pods():
        if pod.az_name not in chosen and not (
                skip_down and gateway.is_down(pod)):
            chosen[pod.az_name] = pod
    return sorted(chosen.values(), key=lambda pod: pod.name)


def add_limits(total: dict[str, Any], limits: dict[str, Any]) -> None:
    """Add one pod's absolute limits to ``total`` (-1 maxima kept)."""
    for name, value in limits.items():
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if name not in total:
            total[name] = value
        elif name.startswith('max') and -1 in (value, total[name]):
            total[name] = -1
        else:
            total[name] += value


def limits(gateway: Gateway, pods: PodCaller,
           request: webob.Request) -> webob.Response:
    """Answer Cinder's limits: no rate limits, summed absolute ones."""
    gathered = pods.gather(project_pods(gateway, request),
                           lambda pod: pods.json(pod, 'limits'))
    absolute: dict[str, Any] = {}
    for _, body in gathered.items():
        add_limits(absolute, body.get('limits', {}).get('absolute', {}))
    response = json_response({'limits': {'rate': [],
                                         'absolute': absolute}})
    gathered.mark_partial(response)
    return response
