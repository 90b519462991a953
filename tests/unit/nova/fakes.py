"""Nova pods emulated in memory for the compute driver's tests.

:class:`FakeNova` answers the compute calls the driver makes the way a
Nova 34 pod does, including what matters to merged lists: servers are
sorted by their microsecond creation time (shown in whole seconds) and a
hidden integer id, a marker must be one of the pod's own servers, and the
next link is written only for a full page. :class:`NovaGateway` is the
plugin test kit's :class:`~trio2o_core.testing.fakes.FakeGateway` with a
:class:`FakeNova` behind each pod; requests go through the core's router
with :class:`~trio2o_core.testing.client.Client`.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

import requests

from trio2o_core.plugin import Pod
from trio2o_core.testing.client import Client  # noqa: F401
from trio2o_core.testing.client import Reply  # noqa: F401
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fake_pods import refused
from trio2o_core.testing.fakes import ADMIN_PROJECT  # noqa: F401
from trio2o_core.testing.fakes import EPOCH
from trio2o_core.testing.fakes import GATEWAY_URL as GATEWAY  # noqa: F401
from trio2o_core.testing.fakes import OTHER_PROJECT  # noqa: F401
from trio2o_core.testing.fakes import PROJECT
from trio2o_core.testing.fakes import FakeGateway

FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
               404: 'itemNotFound', 405: 'badMethod',
               409: 'conflictingRequest', 415: 'badMediaType',
               501: 'notImplemented', 503: 'serviceUnavailable'}
ADMIN_RULES = frozenset({
    'os_compute_api:servers:index:get_all_tenants',
    'os_compute_api:servers:detail:get_all_tenants',
    'os_compute_api:os-availability-zone:detail',
})


def fault(status: int, message: str) -> requests.Response:
    """A Nova fault answer."""
    name = FAULT_NAMES.get(status, 'computeFault')
    return pod_response(status, {name: {'code': status,
                                        'message': message}})


def isotime(microseconds: int) -> str:
    """What Nova shows of a time it keeps to the microsecond."""
    when = EPOCH + datetime.timedelta(microseconds=microseconds)
    return when.strftime('%Y-%m-%dT%H:%M:%SZ')


@dataclasses.dataclass
class Call:
    """One call a pod received."""

    method: str
    path: str
    params: list[tuple[str, str]]
    json: Any
    microversion: str | None
    project: str


class FakeNova:
    """One Nova pod: its servers and the API calls the driver makes."""

    MAX_LIMIT = 1000
    SORT_FIELDS = {'created_at': '_created', 'uuid': 'id', 'id': '_seq',
                   'display_name': 'name', 'updated_at': '_updated'}

    def __init__(self, pod: Pod, root: str,
                 log: list[PodRequest]) -> None:
        self.pod = pod
        self.root = root
        self._log = log
        self.servers: dict[str, dict[str, Any]] = {}
        self.keypairs: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.refusing = False
        self.max_version = '2.104'
        self.flavors = {'1': 'm1.tiny', '2': 'm1.small'}
        self.limits = {'maxTotalInstances': 10, 'totalInstancesUsed': 0,
                       'maxTotalCores': 20, 'totalCoresUsed': 0,
                       'maxServerMeta': 128}
        self._seq = itertools.count(1)

    # servers kept by the pod

    def add_server(self, project: str = PROJECT, name: str = 'vm',
                   created: int = 0, server_id: str | None = None,
                   reservation_id: str = 'r-0') -> dict[str, Any]:
        """Store a server created ``created`` microseconds after the
        epoch; return its record (hidden fields start with ``_``)."""
        server_id = server_id or str(uuid.uuid4())
        record = {
            'id': server_id, 'name': name, 'status': 'ACTIVE',
            'tenant_id': project, 'user_id': 'user-1',
            'created': isotime(created), 'updated': isotime(created),
            'links': [
                {'rel': 'self', 'href': f'{self.root}/v2.1/servers/'
                                        f'{server_id}'},
                {'rel': 'bookmark', 'href': f'{self.root}/servers/'
                                            f'{server_id}'}],
            'OS-EXT-AZ:availability_zone': self.pod.pod_az_name,
            'OS-DCF:diskConfig': 'MANUAL', 'key_name': None,
            'image': {'id': 'image-1', 'links': [
                {'rel': 'bookmark', 'href': f'{self.root}/images/image-1'}]},
            'flavor': {'id': '1'}, 'metadata': {}, 'addresses': {},
            'accessIPv4': '', 'accessIPv6': '', 'config_drive': '',
            '_created': created, '_updated': created,
            '_seq': next(self._seq), '_reservation': reservation_id,
        }
        self.servers[server_id] = record
        return record

    @property
    def calls(self) -> list[Call]:
        """The calls the pod received (scripted ones included)."""
        return [Call(c.method, urllib.parse.unquote(c.path.lstrip('/')),
                     c.params, c.json, c.microversion,
                     c.context.project_id if c.context else '')
                for c in self._log if c.pod.id == self.pod.id]

    @staticmethod
    def shown(record: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith('_')}

    # the HTTP surface

    def __call__(self, call: PodRequest) -> requests.Response:
        """Answer one call, as the pod's handler."""
        method, params, body = call.method, call.params, call.json
        context = call.context
        path = urllib.parse.unquote(call.path.lstrip('/'))
        if self.refusing:
            raise refused(self.root)
        parts = path.split('/')
        handler = getattr(self, f'_{parts[0].replace("-", "_")}', None)
        if path == '':
            return pod_response(200, {'version': {
                'id': 'v2.1', 'version': self.max_version,
                'min_version': '2.1'}})
        if handler is None:
            return pod_response(200, {'echo': {'method': method,
                                               'path': path}})
        return handler(method, parts[1:], dict(params), params, body,
                       context)

    def _servers(self, method: str, parts: list[str], query: dict,
                 params: list[tuple[str, str]], body: Any,
                 context: Any) -> requests.Response:
        if not parts or parts == ['detail']:
            if method == 'POST':
                return self._create(body, context)
            return self._list(params, detail=parts == ['detail'],
                              context=context)
        record = self.servers.get(parts[0])
        if record is None or (record['tenant_id'] != context.project_id
                              and not context.is_admin):
            if method == 'DELETE' and len(parts) == 1:
                return fault(404, 'Instance could not be found')
            return fault(404, f'Instance {parts[0]} could not be found.')
        if len(parts) > 1:
            return pod_response(200, {'echo': {'method': method,
                                               'path': '/'.join(parts),
                                               'json': body}})
        if method == 'DELETE':
            del self.servers[parts[0]]
            return pod_response(204)
        if method == 'PUT':
            record.update(body['server'])
        return pod_response(200, {'server': self.shown(record)})

    def _create(self, body: dict[str, Any],
                context: Any) -> requests.Response:
        server = body['server']
        if str(server['flavorRef']) not in self.flavors:
            return fault(400, f"Flavor {server['flavorRef']} could not be "
                              'found.')
        count = int(server.get('max_count', server.get('min_count', 1)))
        reservation = 'r-' + uuid.uuid4().hex[:8]
        start = max([r['_created'] for r in self.servers.values()],
                    default=0) + 1_000_000
        made = [self.add_server(context.project_id, server['name'],
                                start + index, reservation_id=reservation)
                for index in range(count)]
        if server.get('return_reservation_id'):
            return pod_response(202, {'reservation_id': reservation})
        first = made[0]
        view = {'id': first['id'], 'links': first['links'],
                'OS-DCF:diskConfig': 'MANUAL',
                'security_groups': server.get('security_groups',
                                              [{'name': 'default'}]),
                'adminPass': server.get('adminPass', 'pod-made-password')}
        return pod_response(202, {'server': view}, {
            'Location': first['links'][0]['href']})

    def _list(self, params: list[tuple[str, str]], detail: bool,
              context: Any) -> requests.Response:
        query = dict(params)
        keys = [v for k, v in params if k == 'sort_key'] or ['created_at']
        dirs = [v for k, v in params if k == 'sort_dir'] or ['desc']
        first = dirs[0]
        dirs += [first] * (len(keys) - len(dirs))
        for default in ('created_at', 'id'):
            if default not in keys:
                keys.append(default)
                dirs.append(first)
        everyone = context.is_admin and 'all_tenants' in query
        records = [r for r in self.servers.values()
                   if everyone or r['tenant_id'] == context.project_id]
        if 'name' in query:
            records = [r for r in records
                       if re.search(query['name'], r['name'])]
        if 'reservation_id' in query:
            records = [r for r in records
                       if r['_reservation'] == query['reservation_id']]
        for key, direction in reversed(list(zip(keys, dirs, strict=True))):
            field = self.SORT_FIELDS[key]
            records.sort(key=lambda r, f=field: r[f],
                         reverse=direction == 'desc')
        if 'marker' in query:
            ids = [r['id'] for r in records]
            if query['marker'] not in ids:
                return fault(400, f"marker [{query['marker']}] not found")
            records = records[ids.index(query['marker']) + 1:]
        limit = min(int(query.get('limit', self.MAX_LIMIT)), self.MAX_LIMIT)
        page = records[:limit]
        if detail:
            items = [self.shown(r) for r in page]
        else:
            items = [{'id': r['id'], 'name': r['name'],
                      'links': r['links']} for r in page]
        answer: dict[str, Any] = {'servers': items}
        if limit and len(page) == limit:
            answer['servers_links'] = [{'rel': 'next', 'href': (
                f'{self.root}/v2.1/servers?marker={page[-1]["id"]}')}]
        return pod_response(200, answer)

    def _flavors(self, method: str, parts: list[str], query: dict,
                 params: list[tuple[str, str]], body: Any,
                 context: Any) -> requests.Response:
        flavors = [{'id': fid, 'name': name, 'links': [
            {'rel': 'self', 'href': f'{self.root}/v2.1/flavors/{fid}'}]}
            for fid, name in self.flavors.items()]
        if not parts or parts == ['detail']:
            return pod_response(200, {'flavors': flavors})
        for flavor in flavors:
            if flavor['id'] == parts[0]:
                return pod_response(200, {'flavor': flavor})
        return fault(404, f'Flavor {parts[0]} could not be found.')

    def _limits(self, method: str, parts: list[str], query: dict,
                params: list[tuple[str, str]], body: Any,
                context: Any) -> requests.Response:
        return pod_response(200, {'limits': {
            'rate': [], 'absolute': dict(self.limits)}})

    def _os_keypairs(self, method: str, parts: list[str], query: dict,
                     params: list[tuple[str, str]], body: Any,
                     context: Any) -> requests.Response:
        if method == 'POST':
            keypair = dict(body['keypair'])
            if keypair['name'] in self.keypairs:
                return fault(409, f"Key pair '{keypair['name']}' already "
                                  'exists.')
            generated = 'public_key' not in keypair
            keypair.setdefault('public_key', 'ssh-rsa AAAA' + uuid.uuid4().hex)
            self.keypairs[keypair['name']] = keypair
            answer = dict(keypair)
            if generated:
                answer['private_key'] = 'PRIVATE'
            return pod_response(200, {'keypair': answer})
        if method == 'DELETE':
            if self.keypairs.pop(parts[0], None) is None:
                return fault(404, f'Keypair {parts[0]} not found.')
            return pod_response(202)
        if parts:
            keypair = self.keypairs.get(parts[0])
            if keypair is None:
                return fault(404, f'Keypair {parts[0]} not found.')
            return pod_response(200, {'keypair': keypair})
        return pod_response(200, {'keypairs': [
            {'keypair': k} for k in self.keypairs.values()]})

    def _os_availability_zone(self, method: str, parts: list[str],
                              query: dict, params: list[tuple[str, str]],
                              body: Any, context: Any) -> requests.Response:
        if not context.is_admin:
            return fault(403, "Policy doesn't allow os_compute_api:"
                              'os-availability-zone:detail to be '
                              'performed.')
        available = {'available': True}
        return pod_response(200, {'availabilityZoneInfo': [
            {'zoneName': 'internal', 'zoneState': available,
             'hosts': {'conductor': {'nova-conductor': {}}}},
            {'zoneName': self.pod.pod_az_name, 'zoneState': available,
             'hosts': {'compute1': {'nova-compute': {}}}}]})

    def _os_services(self, method: str, parts: list[str], query: dict,
                     params: list[tuple[str, str]], body: Any,
                     context: Any) -> requests.Response:
        if not context.is_admin:
            return fault(403, "Policy doesn't allow os_compute_api:"
                              'os-services:list to be performed.')
        return pod_response(200, {'services': [
            {'id': f'{self.pod.id}-svc', 'binary': 'nova-compute',
             'host': 'compute1', 'zone': self.pod.pod_az_name}]})

    def _os_server_groups(self, method: str, parts: list[str],
                          query: dict, params: list[tuple[str, str]],
                          body: Any, context: Any) -> requests.Response:
        if method == 'POST':
            group = {'id': str(uuid.uuid4()),
                     'name': body['server_group']['name'],
                     'project_id': context.project_id}
            self.groups[group['id']] = group
            return pod_response(200, {'server_group': group})
        if not parts:
            return pod_response(200, {'server_groups': list(
                self.groups.values())})
        group = self.groups.get(parts[0])
        if group is None:
            return fault(404, f'Instance group {parts[0]} could not be '
                              'found.')
        if method == 'DELETE':
            del self.groups[parts[0]]
            return pod_response(204)
        return pod_response(200, {'server_group': group})


class NovaGateway(FakeGateway):
    """A fake gateway whose pods are :class:`FakeNova` pods; denies
    :data:`ADMIN_RULES` to non-admins."""

    def __init__(self, pods: int = 3) -> None:
        super().__init__(pods, admin_rules=ADMIN_RULES)
        # one failure takes a pod down, so the down-pod rules are seen
        # after a single call
        self.health.threshold = 1
        self.novas: dict[str, FakeNova] = {}
        for pod in self.pod_list:
            self.novas[pod.id] = FakeNova(pod, self.roots[pod.id], self.calls)
            self.serve(pod, self.novas[pod.id])

    @property
    def pods(self) -> list[Pod]:
        return list(self.pod_list)

    def nova(self, index: int) -> FakeNova:
        """The pod named ``Pod<index>``."""
        return self.novas[f'pod-{index}']

    def add_server(self, index: int, project: str = PROJECT,
                   routed: bool = True, **fields: Any) -> dict[str, Any]:
        """A server in pod ``index``, routed for ``project``."""
        record = self.nova(index).add_server(project, **fields)
        if routed:
            self.route(record['id'], self.nova(index).pod, project)
        return record

    def of_type(self, resource_type: str) -> list:
        return [r for (_, kind), r in self.routings.items()
                if kind == resource_type]
