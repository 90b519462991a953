"""``GET /v3/os-availability-zone``: the zones users see.

They are the pods' ``az_name`` (each once), not the pods' internal
zones; a zone is available while one of its enabled pods is up.
"""

from __future__ import annotations

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import json_response


def availability_zones(gateway: Gateway,
                       request: webob.Request) -> webob.Response:
    """Answer Cinder's zone list, sorted by name."""
    available: dict[str, bool] = {}
    for pod in gateway.list_pods():
        if pod.az_name:
            up = not gateway.is_down(pod)
            available[pod.az_name] = available.get(pod.az_name, False) or up
    return json_response({'availabilityZoneInfo': [
        {'zoneName': name, 'zoneState': {'available': state}}
        for name, state in sorted(available.items())]})
