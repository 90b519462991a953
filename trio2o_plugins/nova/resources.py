"""What clients need around servers, each answered the simplest correct
way across pods.

* Flavors, the image proxy (before 2.36), quota reads, key pair reads and
  extensions come from the first up enabled pod (by name; the next one
  when it cannot be reached). Flavors must be the same in every pod: a
  server is created with the flavor id the client read here.
* Key pairs are created, imported and deleted in every enabled pod, so a
  server in any pod can use them: the first pod makes the key, the
  others import its public key; if a later pod refuses, the pods already
  done are undone. With a pod down, no key pair is created or deleted.
* Quota updates and resets go to every enabled pod.
* Limits: the first pod's document, with the instances, cores, RAM and
  server groups the project may use and uses summed over the up pods
  (each pod enforces its own quota).
* Availability zones are the zones of the pods table; the admin detail
  merges the pods' hosts.
* Services and hypervisors (admin) are merged from the up pods, each
  host name followed by ``@<pod name>``.
* Server groups are created in the pod the project's servers go to (a
  server naming the group in its hints is sent there) and routed by id.
"""

from __future__ import annotations

import copy
import logging
import urllib.parse
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.servers import GROUP_RESOURCE

LOG = logging.getLogger(__name__)
ZONE_RULE = 'os_compute_api:os-availability-zone:{view}'
INTERNAL_ZONE = 'internal'
#: limits summed over pods: maximum -> use
SUMMED_LIMITS = {'maxTotalInstances': 'totalInstancesUsed',
                 'maxTotalCores': 'totalCoresUsed',
                 'maxTotalRAMSize': 'totalRAMUsed',
                 'maxServerGroups': 'totalServerGroupsUsed'}
_SAFE = '/:@!$&\'()*+,;=-._~'


def _pod_path(request: webob.Request) -> str:
    """The request's path under ``/v2.1``, quoted for a pod."""
    path = request.path_info.split('/v2.1/', 1)[1]
    return urllib.parse.quote(path, safe=_SAFE)


def _host(host: Any, pod: Pod) -> Any:
    return f'{host}@{pod.name}' if isinstance(host, str) else host


class ResourcesController:
    """Flavors, images, zones, key pairs, limits, quotas, services,
    hypervisors, server groups and extensions."""

    def __init__(self, service: ServiceDriver) -> None:
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        first = self.first_pod
        every = self.every_pod
        return [
            Route('/v2.1/flavors', {'GET': first}),
            Route('/v2.1/flavors/detail', {'GET': first}),
            Route('/v2.1/flavors/{flavor_id}', {'GET': first}),
            Route('/v2.1/flavors/{flavor_id}/os-flavor-access',
                  {'GET': first}),
            Route('/v2.1/flavors/{flavor_id}/os-extra_specs',
                  {'GET': first}),
            Route('/v2.1/flavors/{flavor_id}/os-extra_specs/{key}',
                  {'GET': first}),
            Route('/v2.1/images', {'GET': first}),
            Route('/v2.1/images/detail', {'GET': first}),
            Route('/v2.1/images/{image_id}', {'GET': first,
                                              'DELETE': first}),
            Route('/v2.1/images/{image_id}/metadata',
                  {'GET': first, 'POST': first, 'PUT': first}),
            Route('/v2.1/images/{image_id}/metadata/{key}',
                  {'GET': first, 'PUT': first, 'DELETE': first}),
            Route('/v2.1/os-availability-zone', {'GET': self.zones}),
            Route('/v2.1/os-availability-zone/detail',
                  {'GET': self.zones_detail}),
            Route('/v2.1/os-keypairs', {'GET': first,
                                        'POST': self.create_keypair}),
            Route('/v2.1/os-keypairs/{name}', {'GET': first,
                                               'DELETE': every}),
            Route('/v2.1/limits', {'GET': self.limits}),
            Route('/v2.1/os-quota-sets/{project_id}',
                  {'GET': first, 'PUT': every, 'DELETE': every}),
            Route('/v2.1/os-quota-sets/{project_id}/detail',
                  {'GET': first}),
            Route('/v2.1/os-quota-sets/{project_id}/defaults',
                  {'GET': first}),
            Route('/v2.1/os-services', {'GET': self.services}),
            Route('/v2.1/os-hypervisors', {'GET': self.hypervisors}),
            Route('/v2.1/os-hypervisors/detail',
                  {'GET': self.hypervisors}),
            Route('/v2.1/os-server-groups', {'GET': self.list_groups,
                                             'POST': self.create_group}),
            Route('/v2.1/os-server-groups/{group_id}',
                  {'GET': self.on_group, 'DELETE': self.on_group}),
            Route('/v2.1/extensions', {'GET': first}),
            Route('/v2.1/extensions/{alias}', {'GET': first}),
        ]

    # pods

    def _up_pods(self) -> list[Pod]:
        """Return the enabled pods not known to be down.

        :raises PodUnavailable: there is none.
        """
        pods = self.gateway.list_pods()
        up = [pod for pod in pods if not self.gateway.is_down(pod)]
        if not up:
            raise PodUnavailable(', '.join(p.name for p in pods) or 'none')
        return up

    def _all_pods_up(self) -> list[Pod]:
        """Return every enabled pod.

        :raises PodUnavailable: one of them is down (named).
        """
        pods = self.gateway.list_pods()
        for pod in pods:
            if self.gateway.is_down(pod):
                raise PodUnavailable(pod.name)
        if not pods:
            raise PodUnavailable('none')
        return pods

    def _call(self, request: webob.Request, pod: Pod, method: str,
              path: str, body: Any = None,
              params: Any = None) -> Any:
        return forward.call(self.gateway, request, pod, method, path,
                            json=body, params=forward.query(request)
                            if params is None else params)

    def _answer(self, request: webob.Request, pod: Pod,
                answer: Any) -> webob.Response:
        return forward.to_response(request, answer, pod, self.gateway)

    def first_pod(self, request: webob.Request,
                  **_: str) -> webob.Response:
        """Forward the call to the first up enabled pod (the next when it
        cannot be reached).

        :raises PodUnavailable: no pod could be reached.
        """
        body = request.json_body_or_none()
        path = _pod_path(request)
        *first, last = self._up_pods()
        for pod in first:
            try:
                answer = self._call(request, pod, request.method, path, body)
            except PodUnavailable:
                continue
            return self._answer(request, pod, answer)
        answer = self._call(request, last, request.method, path, body)
        return self._answer(request, last, answer)

    def every_pod(self, request: webob.Request,
                  **_: str) -> webob.Response:
        """Forward the call to every enabled pod; answer the first
        refusal, else the first pod's answer (a 404 only when every pod
        answered 404).

        :raises PodUnavailable: a pod is down (nothing is sent).
        """
        body = request.json_body_or_none()
        path = _pod_path(request)
        answers = []
        for pod in self._all_pods_up():
            answer = self._call(request, pod, request.method, path, body)
            if answer.status_code >= 300 and answer.status_code != 404:
                return self._answer(request, pod, answer)
            answers.append((pod, answer))
        found = [(p, a) for p, a in answers if a.status_code != 404]
        pod, answer = (found or answers)[0]
        return self._answer(request, pod, answer)

    # availability zones

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
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(pods, forward.getter(
            caller, 'os-availability-zone/detail', forward.query(request)))
        refused = forward.refusal(caller, gathered)
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
                        **{_host(host, pod): services for host, services
                           in zone['hosts'].items()}}
        for pod in pods:
            if pod.az_name and pod.az_name not in zones:
                zones[pod.az_name] = {'zoneName': pod.az_name,
                                      'zoneState': {'available': False},
                                      'hosts': None}
        return forward.merged({'availabilityZoneInfo': [
            zones[name] for name in sorted(zones)]}, gathered)

    # key pairs

    def create_keypair(self, request: webob.Request) -> webob.Response:
        """``POST /os-keypairs``: create (or import) in every enabled
        pod; the first pod's answer (with a generated private key) is
        returned.

        :raises PodUnavailable: a pod is down, or stops answering (the
            pods done are undone).
        """
        body = request.json_body_or_none()
        first, *others = self._all_pods_up()
        answer = self._call(request, first, 'POST', 'os-keypairs', body)
        if answer.status_code >= 300 or not others:
            return self._answer(request, first, answer)
        keypair = answer.json()['keypair']
        imported = copy.deepcopy(body)
        imported['keypair']['public_key'] = keypair['public_key']
        done = [first]
        for pod in others:
            try:
                other = self._call(request, pod, 'POST', 'os-keypairs',
                                   imported)
            except PodUnavailable:
                self._undo_keypair(request, done, keypair['name'], body)
                raise
            if other.status_code >= 300:
                self._undo_keypair(request, done, keypair['name'], body)
                return self._answer(request, pod, other)
            done.append(pod)
        return self._answer(request, first, answer)

    def _undo_keypair(self, request: webob.Request, pods: list[Pod],
                      name: str, body: dict[str, Any]) -> None:
        """Delete the key pair from ``pods``; a pod that keeps it is
        logged with the request id."""
        user_id = body['keypair'].get('user_id')
        params = [('user_id', user_id)] if user_id else []
        path = 'os-keypairs/' + urllib.parse.quote(name, safe='')
        caller = forward.pods(self.gateway, request)
        for pod in pods:
            try:
                status = caller.call(pod, 'DELETE', path,
                                     params=params).status_code
            except PodUnavailable as exc:
                status = exc.code
            if status >= 300 and status != 404:
                LOG.error('key pair %s left in pod %s after a failed '
                          'create (request %s): the pod answered %s',
                          name, pod.name, caller.request_id, status)

    # limits

    def limits(self, request: webob.Request) -> webob.Response:
        """``GET /limits``: the first up pod's limits, with the summed
        ones (:data:`SUMMED_LIMITS`) added up over every up pod."""
        pods = self._up_pods()
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(pods, forward.getter(
            caller, 'limits', forward.query(request)))
        refused = forward.refusal(caller, gathered)
        if refused is not None:
            return refused
        if not gathered.ok:
            raise PodUnavailable(pods[0].name)
        documents = [answer.json() for _, answer in gathered.items()]
        body = copy.deepcopy(documents[0])
        absolute = body.get('limits', {}).get('absolute', {})
        for maximum, used in SUMMED_LIMITS.items():
            for name in (maximum, used):
                values = [doc['limits']['absolute'][name]
                          for doc in documents
                          if name in doc.get('limits', {}).get(
                              'absolute', {})]
                if name in absolute and values:
                    absolute[name] = (-1 if -1 in values and name == maximum
                                      else sum(values))
        return forward.merged(body, gathered)

    # services and hypervisors

    def services(self, request: webob.Request) -> webob.Response:
        """``GET /os-services`` (admin): every up pod's services."""
        return self._merged_list(request, 'os-services', 'services',
                                 'host')

    def hypervisors(self, request: webob.Request) -> webob.Response:
        """``GET /os-hypervisors[/detail]`` (admin): every up pod's
        hypervisors (paging parameters apply per pod)."""
        return self._merged_list(request, _pod_path(request), 'hypervisors',
                                 'hypervisor_hostname')

    def _merged_list(self, request: webob.Request, path: str, key: str,
                     host_key: str) -> webob.Response:
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(self.gateway.list_pods(), forward.getter(
            caller, path, forward.query(request)))
        refused = forward.refusal(caller, gathered)
        if refused is not None:
            return refused
        items = []
        for pod, answer in gathered.items():
            for item in answer.json().get(key, []):
                if host_key in item:
                    item[host_key] = _host(item[host_key], pod)
                service = item.get('service')
                if isinstance(service, dict) and 'host' in service:
                    service['host'] = _host(service['host'], pod)
                items.append(caller.translate(pod, item))
        return forward.merged({key: items}, gathered)

    # server groups

    def create_group(self, request: webob.Request) -> webob.Response:
        """``POST /os-server-groups``: create in the pod the project's
        servers without a zone go to, and route the group."""
        context = request.context
        body = request.json_body_or_none()
        pod = self.gateway.schedule(
            context, forward.RESOURCE,
            self.gateway.conf.scheduler.default_availability_zone)
        pending = forward.PendingCreate(self.gateway, request, pod,
                                        GROUP_RESOURCE)
        try:
            answer = self._call(request, pod, 'POST', 'os-server-groups',
                                body)
        except PodUnavailable:
            pending.abandon()
            raise
        if answer.status_code >= 300:
            pending.abandon()
        else:
            pending.route([answer.json()['server_group']['id']])
        return self._answer(request, pod, answer)

    def list_groups(self, request: webob.Request) -> webob.Response:
        """``GET /os-server-groups``: the routed groups of the caller's
        project (every project's for an admin with ``all_projects``),
        gathered from their pods; ``offset``/``limit`` apply to the
        whole list."""
        context = request.context
        params = [(k, v) for k, v in forward.query(request)
                  if k not in ('limit', 'offset')]
        all_projects = (context.is_admin
                        and 'all_projects' in request.GET)
        routings = self.gateway.list_routings(context, GROUP_RESOURCE,
                                              all_projects=all_projects)
        routed = {r.top_id for r in routings}
        pods = list({r.pod.id: r.pod for r in routings}.values())
        caller = forward.pods(self.gateway, request)
        gathered = caller.gather(pods, forward.getter(
            caller, 'os-server-groups', params))
        refused = forward.refusal(caller, gathered)
        if refused is not None:
            return refused
        groups = []
        for pod, answer in sorted(gathered.items(),
                                  key=lambda pair: pair[0].name):
            groups += [caller.translate(pod, group)
                       for group in answer.json().get('server_groups', [])
                       if group.get('id') in routed]
        offset = _non_negative(request, 'offset', 0)
        limit = _non_negative(request, 'limit', len(groups))
        return forward.merged({
            'server_groups': groups[offset:offset + limit]}, gathered)

    def on_group(self, request: webob.Request,
                 group_id: str) -> webob.Response:
        """``GET``/``DELETE /os-server-groups/{id}`` in the group's pod;
        a delete (or a group its pod no longer has) drops the routing.

        :raises NotFound: the group is not routed for the caller.
        :raises PodUnavailable: its pod is down.
        """
        routing = self.gateway.lookup(request.context, group_id,
                                      GROUP_RESOURCE)
        if routing is None:
            raise NotFound(f'Instance group {group_id} could not be '
                           'found.')
        if self.gateway.is_down(routing.pod):
            raise PodUnavailable(routing.pod.name)
        answer = self._call(request, routing.pod, request.method,
                            f'os-server-groups/{routing.bottom_id}')
        if not forward.forget_if_gone(self.gateway, routing, answer) and (
                request.method == 'DELETE' and answer.status_code < 300):
            self.gateway.forget(routing.top_id, GROUP_RESOURCE)
        return self._answer(request, routing.pod, answer)


def _non_negative(request: webob.Request, name: str, default: int) -> int:
    """A paging parameter of the server group list.

    :raises BadRequest: not a non-negative integer.
    """
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise BadRequest(f"Invalid input for query parameters {name}. "
                         f"Value: {value}. '{value}' does not match "
                         "'^[0-9]*$'")
    return int(value)
