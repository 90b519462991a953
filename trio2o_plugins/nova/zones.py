"""Availability zones: the zones of the pods table; the admin detail
merges the pods' hosts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Route
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in

ZONE_RULE = 'os_compute_api:os-availability-zone:{view}'
INTERNAL_ZONE = 'internal'

class ZonesController(PodResources):
    """``/os-availability-zone`` and its detail."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-availability-zone', {'GET': self.zones}),
            Route('/v2.1/os-availability-zone/detail',
                  {'GET': self.zones_detail}),
        ]

    def zones(self, request: webob.Request) -> webob.Response:
        """``GET /os-availability-zone``: the users' zones, available
        when one of their pods is up."""
        context = request.context
        self.gateway.enforce(context, ZONE_RULE.format(view='list'),
                             {'project_id': context.project_id})
        state: dict[str, bool] = {}
        for pod in self.gateway.list_pods():
            if pod.az_name:
                state[pod.az_name] = (state.get(pod.az_name, False)
                                      or not self.gateway.is_down(pod))
        info = [{'zoneName': name, 'zoneState': {'available': available},
                 'hosts': None}
                for available in (True, False)
                for name in sorted(state) if state[name] == available]
        return json_response({'availabilityZoneInfo': info})

    def zones_detail(self, request: webob.Request) -> webob.Response:
        """``GET /os-availability-zone/detail`` (admin): each pod's zone
        under its users' name, with the pod's hosts; ``internal`` merges
        every pod's control services."""
        context = request.context
        self.gateway.enforce(context, ZONE_RULE.format(view='detail'),
                             {'project_id': context.project_id})
        pods = self.gateway.list_pods()
        _, gathered, refused = self._gathered(
            request, pods, 'os-availability-zone/detail')
        if refused is not None:
            return refused
        zones: dict[str, dict[str, Any]] = {}
        for pod, answer in gathered.items():
            for zone in answer.json().get('availabilityZoneInfo', []):
                name = zone.get('zoneName')
                if name == pod.pod_az_name and pod.az_name:
                    name = pod.az_name
                elif name != INTERNAL_ZONE:
                    continue
                merged = zones.setdefault(name, {
                    'zoneName': name, 'zoneState': {'available': False},
                    'hosts': None})
                if zone.get('zoneState', {}).get('available'):
                    merged['zoneState']['available'] = True
                if zone.get('hosts'):
                    merged['hosts'] = {
                        **(merged['hosts'] or {}),
                        **{host_in(host, pod): services for host, services
                           in zone['hosts'].items()}}
        for pod in pods:
            if pod.az_name and pod.az_name not in zones:
                zones[pod.az_name] = {'zoneName': pod.az_name,
                                      'zoneState': {'available': False},
                                      'hosts': None}
        return forward.merged({'availabilityZoneInfo': [
            zones[name] for name in sorted(zones)]}, gathered)
