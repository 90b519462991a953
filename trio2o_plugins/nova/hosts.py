"""Services and hypervisors (admin): merged from the up pods, each host
name followed by ``@<pod name>``; a host named so is looked for in its
pod only, under the pod's own name."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in
from trio2o_plugins.nova.pod_resources import pod_path

#: the integer totals of ``GET /os-hypervisors/statistics``
STATISTICS = ('count', 'current_workload', 'disk_available_least',
              'free_disk_gb', 'free_ram_mb', 'local_gb', 'local_gb_used',
              'memory_mb', 'memory_mb_used', 'running_vms', 'vcpus',
              'vcpus_used')


class HostsController(PodResources):
    """``/os-services`` and ``/os-hypervisors`` merged over the pods."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-services', {'GET': self.services}),
            Route('/v2.1/os-hypervisors', {'GET': self.hypervisors}),
            Route('/v2.1/os-hypervisors/detail',
                  {'GET': self.hypervisors}),
            Route('/v2.1/os-hypervisors/statistics',
                  {'GET': self.statistics}),
            Route('/v2.1/os-hypervisors/{hypervisor_id}',
                  {'GET': self.hypervisor}),
            Route('/v2.1/os-hypervisors/{hostname}/search',
                  {'GET': self.by_host}),
            Route('/v2.1/os-hypervisors/{hostname}/servers',
                  {'GET': self.by_host}),
        ]

    def services(self, request: webob.Request) -> webob.Response:
        """``GET /os-services`` (admin): every up pod's services; with
        ``host=<host>@<pod>``, that pod's services of ``<host>``."""
        pods, params = self._pods_of_host(request)
        return self._merged_list(request, 'os-services', 'services',
                                 pods, params)

    def hypervisors(self, request: webob.Request) -> webob.Response:
        """``GET /os-hypervisors[/detail]`` (admin): every up pod's
        hypervisors (paging parameters apply per pod)."""
        return self._merged_list(request, pod_path(request), 'hypervisors')

    def statistics(self, request: webob.Request) -> webob.Response:
        """``GET /os-hypervisors/statistics`` (admin, before 2.88): the
        totals summed over the up pods."""
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), pod_path(request))
        if refused is not None:
            return refused
        totals = dict.fromkeys(STATISTICS, 0)
        for _, answer in gathered.items():
            stats = answer.json().get('hypervisor_statistics', {})
            for key in STATISTICS:
                if isinstance(stats.get(key), int):
                    totals[key] += stats[key]
        return forward.merged({'hypervisor_statistics': totals}, gathered)

    def hypervisor(self, request: webob.Request,
                   hypervisor_id: str) -> webob.Response:
        """``GET /os-hypervisors/{id}`` (admin): asked of every up pod,
        the first that has it answers (ids are the pods' own: UUIDs from
        2.53, integers any pod may repeat before); the first refusal but
        404, else a pod's 404, when none has it.

        :raises PodUnavailable: no pod could be asked.
        """
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), pod_path(request))
        for pod, answer in gathered.items():
            body = caller.translate(pod, answer.json())
            self._name_hosts(body.get('hypervisor', {}), pod)
            return forward.merged(body, gathered)
        for rejected in gathered.refused.values():
            if rejected.reply.status_code != 404:
                return caller.relay(rejected.pod, rejected.reply)
        if refused is None:
            raise PodUnavailable(', '.join(
                sorted(pod.name for pod in gathered.missing)) or 'none')
        return refused

    def by_host(self, request: webob.Request,
                hostname: str) -> webob.Response:
        """``GET /os-hypervisors/{hostname}/search|servers`` (admin,
        before 2.53): a ``<host>@<pod>`` is looked for in that pod, any
        other name in every up pod; the hypervisors found are merged."""
        host, pods = self._host_pods(hostname)
        suffix = request.path_info.rstrip('/').rsplit('/', 1)[1]
        path = f"os-hypervisors/{urllib.parse.quote(host, safe='')}/{suffix}"
        return self._merged_list(request, path, 'hypervisors', pods)

    def _pods_of_host(self, request: webob.Request
                      ) -> tuple[list[Pod], list[tuple[str, str]]]:
        """The pods a ``host`` filter names, and the query to send."""
        params = forward.query(request)
        hosts = [value for key, value in params if key == 'host']
        if len(hosts) != 1:
            return self.gateway.list_pods(), params
        host, pods = self._host_pods(hosts[0])
        return pods, [(k, host if k == 'host' else v) for k, v in params]

    def _host_pods(self, name: str) -> tuple[str, list[Pod]]:
        """``(host, [pod])`` for ``<host>@<pod name>`` of an enabled pod,
        else ``(name, every enabled pod)``."""
        pods = self.gateway.list_pods()
        host, sep, pod_name = name.rpartition('@')
        for pod in pods:
            if sep and pod.name == pod_name:
                return host, [pod]
        return name, pods

    @staticmethod
    def _name_hosts(item: dict[str, Any], pod: Pod) -> None:
        """Name the hosts of a service or hypervisor ``<host>@<pod>``."""
        for key in ('host', 'hypervisor_hostname'):
            if key in item:
                item[key] = host_in(item[key], pod)
        service = item.get('service')
        if isinstance(service, dict) and 'host' in service:
            service['host'] = host_in(service['host'], pod)

    def _merged_list(self, request: webob.Request, path: str, key: str,
                     pods: list[Pod] | None = None,
                     params: list[tuple[str, str]] | None = None
                     ) -> webob.Response:
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods() if pods is None else pods,
            path, params)
        if refused is not None:
            return refused
        items = []
        for pod, answer in gathered.items():
            for item in answer.json().get(key, []):
                self._name_hosts(item, pod)
                items.append(caller.translate(pod, item))
        return forward.merged({key: items}, gathered)
