"""Services and hypervisors (admin): merged from the up pods, each host
name followed by ``@<pod name>``."""

from __future__ import annotations

from collections.abc import Sequence

import webob

from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in
from trio2o_plugins.nova.pod_resources import pod_path


class HostsController(PodResources):
    """``/os-services`` and ``/os-hypervisors`` merged over the pods."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-services', {'GET': self.services}),
            Route('/v2.1/os-hypervisors', {'GET': self.hypervisors}),
            Route('/v2.1/os-hypervisors/detail',
                  {'GET': self.hypervisors}),
        ]

    def services(self, request: webob.Request) -> webob.Response:
        """``GET /os-services`` (admin): every up pod's services."""
        return self._merged_list(request, 'os-services', 'services',
                                 'host')

    def hypervisors(self, request: webob.Request) -> webob.Response:
        """``GET /os-hypervisors[/detail]`` (admin): every up pod's
        hypervisors (paging parameters apply per pod)."""
        return self._merged_list(request, pod_path(request), 'hypervisors',
                                 'hypervisor_hostname')

    def _merged_list(self, request: webob.Request, path: str, key: str,
                     host_key: str) -> webob.Response:
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), path)
        if refused is not None:
            return refused
        items = []
        for pod, answer in gathered.items():
            for item in answer.json().get(key, []):
                if host_key in item:
                    item[host_key] = host_in(item[host_key], pod)
                service = item.get('service')
                if isinstance(service, dict) and 'host' in service:
                    service['host'] = host_in(service['host'], pod)
                items.append(caller.translate(pod, item))
        return forward.merged({key: items}, gathered)
