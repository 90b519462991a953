"""Usage reports (admin) summed over the up pods: ``/os-simple-tenant-
usage`` (a project may use several pods) and
``/os-instance_usage_audit_log`` (each pod audits its own hosts, named
``<host>@<pod>``). Paging parameters of the tenant usage apply per pod,
and the merged answer carries no next links."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in
from trio2o_plugins.nova.pod_resources import pod_path

#: the summed totals of a tenant usage
USAGE_TOTALS = ('total_hours', 'total_local_gb_usage', 'total_vcpus_usage',
                'total_memory_mb_usage')
#: the summed counts of an audit log
AUDIT_COUNTS = ('num_hosts', 'num_hosts_done', 'num_hosts_running',
                'num_hosts_not_run', 'total_instances', 'total_errors')


def add_usage(into: dict[str, Any], usage: dict[str, Any]) -> None:
    """Add one pod's usage of a project to ``into`` (empty at first)."""
    if not into:
        into.update(usage)
        into.pop('tenant_usage_links', None)
        return
    for key in USAGE_TOTALS:
        into[key] = into.get(key, 0) + usage.get(key, 0)
    if 'server_usages' in usage:
        into['server_usages'] = [*into.get('server_usages', []),
                                 *usage['server_usages']]


def audit_log(logs: Iterable[tuple[Pod, dict[str, Any]]]) -> dict[str, Any]:
    """The audit logs of the pods as one, worded as Nova words it."""
    merged: dict[str, Any] = dict.fromkeys(AUDIT_COUNTS, 0)
    merged.update(hosts_not_run=[], log={})
    for pod, log in logs:
        merged.setdefault('period_beginning', log.get('period_beginning'))
        merged.setdefault('period_ending', log.get('period_ending'))
        for key in AUDIT_COUNTS:
            merged[key] += log.get(key, 0)
        merged['hosts_not_run'] += [host_in(host, pod)
                                    for host in log.get('hosts_not_run', [])]
        merged['log'].update({host_in(host, pod): entry
                              for host, entry in log.get('log', {}).items()})
    done, hosts = merged['num_hosts_done'], merged['num_hosts']
    share = 'ALL' if done == hosts else f'{done} of {hosts}'
    merged['overall_status'] = (f"{share} hosts done. "
                                f"{merged['total_errors']} errors.")
    return merged


class UsageController(PodResources):
    """Tenant usage and the instance usage audit log, merged."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/os-simple-tenant-usage', {'GET': self.usages}),
            Route('/v2.1/os-simple-tenant-usage/{tenant_id}',
                  {'GET': self.usage}),
            Route('/v2.1/os-instance_usage_audit_log',
                  {'GET': self.audit_logs}),
            Route('/v2.1/os-instance_usage_audit_log/{before}',
                  {'GET': self.audit_logs}),
        ]

    def usages(self, request: webob.Request) -> webob.Response:
        """``GET /os-simple-tenant-usage``: each project's usage summed
        over the pods, in the order first met."""
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), pod_path(request))
        if refused is not None:
            return refused
        usages: dict[str, dict[str, Any]] = {}
        for pod, answer in gathered.items():
            for usage in answer.json().get('tenant_usages', []):
                add_usage(usages.setdefault(usage.get('tenant_id'), {}),
                          caller.translate(pod, usage))
        return forward.merged({'tenant_usages': list(usages.values())},
                              gathered)

    def usage(self, request: webob.Request,
              tenant_id: str) -> webob.Response:
        """``GET /os-simple-tenant-usage/{project}``: the project's usage
        summed over the pods (``{}`` when none)."""
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), pod_path(request))
        if refused is not None:
            return refused
        usage: dict[str, Any] = {}
        for pod, answer in gathered.items():
            found = answer.json().get('tenant_usage') or {}
            if found:
                add_usage(usage, caller.translate(pod, found))
        return forward.merged({'tenant_usage': usage}, gathered)

    def audit_logs(self, request: webob.Request,
                   before: str | None = None) -> webob.Response:
        """``GET /os-instance_usage_audit_log[/{before}]``: the pods'
        audit logs as one."""
        _, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), pod_path(request))
        if refused is not None:
            return refused
        key = ('instance_usage_audit_log' if before is not None
               else 'instance_usage_audit_logs')
        logs = [(pod, answer.json().get(key, {}))
                for pod, answer in gathered.items()]
        return forward.merged({key: audit_log(logs)}, gathered)
