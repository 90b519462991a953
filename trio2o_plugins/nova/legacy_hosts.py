"""``/os-hosts`` (admin, before 2.43): the hosts of every up pod, each
named ``<host>@<pod name>`` and in the zone its users know; a host named
so is shown, updated and powered in its pod under the pod's own name
(any other name goes to the first up pod, whose 404 is Nova's)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in

PREFIX = '/v2.1/os-hosts/{host_name}'


class LegacyHostsController(PodResources):
    """``/os-hosts`` over the pods."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-hosts', {'GET': self.index}),
            Route(PREFIX, {'GET': self.on_host, 'PUT': self.on_host}),
            Route(PREFIX + '/{power_action:reboot|shutdown|startup}',
                  {'GET': self.on_host}),
        ]

    def index(self, request: webob.Request) -> webob.Response:
        """``GET /os-hosts[?zone=]``: every up pod's hosts (of the pods
        in the users' zone ``zone``, asked for their own zone)."""
        zone = request.GET.get('zone')
        pods = self.gateway.list_pods()
        if zone and zone != 'internal':
            pods = [pod for pod in pods if pod.az_name == zone]
        hosts: list[dict[str, Any]] = []
        if not pods:
            return json_response({'hosts': hosts})
        by_pod = {pod.id: [(k, self._pod_zone(pod, v) if k == 'zone' else v)
                           for k, v in forward.query(request)]
                  for pod in pods}
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(pods, lambda pod: forward.checked(
            pod, caller.call(pod, 'GET', 'os-hosts',
                             params=by_pod[pod.id])))
        refused = forward.refusal(caller, gathered)
        if refused is not None:
            return refused
        for pod, answer in gathered.items():
            for host in answer.json().get('hosts', []):
                host['host_name'] = host_in(host.get('host_name'), pod)
                if pod.pod_az_name and host.get('zone') == pod.pod_az_name:
                    host['zone'] = pod.az_name
                hosts.append(host)
        return forward.merged({'hosts': hosts}, gathered)

    def on_host(self, request: webob.Request, host_name: str,
                power_action: str | None = None) -> webob.Response:
        """``GET|PUT /os-hosts/{host}[/{action}]`` in the host's pod, the
        host named ``<host>@<pod>`` in the answer."""
        pods = self._up_pods()
        host, sep, pod_name = host_name.rpartition('@')
        pod = next((p for p in pods if sep and p.name == pod_name), None)
        if pod is None:
            pod, host = pods[0], host_name
        path = 'os-hosts/' + urllib.parse.quote(host, safe='')
        if power_action:
            path += '/' + power_action
        answer = self._call(request, pod, request.method, path,
                            request.json_body_or_none())
        response = self._answer(request, pod, answer)
        if answer.status_code == 200:
            response.json_body = self._named(response.json_body, pod)
        return response

    def _named(self, body: Any, pod: Pod) -> Any:
        """``body`` with every ``host`` value named ``<host>@<pod>``."""
        if isinstance(body, dict):
            return {key: host_in(value, pod) if key == 'host'
                    and isinstance(value, str) else self._named(value, pod)
                    for key, value in body.items()}
        if isinstance(body, list):
            return [self._named(item, pod) for item in body]
        return body

    @staticmethod
    def _pod_zone(pod: Pod, zone: str) -> str:
        """The pod's own name of the users' zone ``zone``."""
        return (pod.pod_az_name or zone) if zone == pod.az_name else zone
