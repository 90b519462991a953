"""An in-memory gateway and Nova pods for the compute driver's tests.

:class:`FakeNova` answers the compute calls the driver makes the way a
Nova 34 pod does, including what matters to merged lists: servers are
sorted by their microsecond creation time (shown in whole seconds) and a
hidden integer id, a marker must be one of the pod's own servers, and the
next link is written only for a full page. :class:`FakeGateway`
implements :class:`trio2o_core.plugin.Gateway` over such pods, and
:class:`Client` sends requests through a :class:`NovaService` the way the
core's router does, rendering errors as Nova faults.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import re
import types
import urllib.parse
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import requests
import routes
import webob
import webob.exc
from keystoneauth1 import exceptions as ks_exc
from oslo_context import context as o_context

from trio2o_core.plugin import Conflict
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import PluginError
from trio2o_core.plugin import Pod
from trio2o_core.plugin import Routing
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.request import Request

GATEWAY = 'http://gateway.example:19996'
PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
ADMIN_PROJECT = 'admin-project'
EPOCH = datetime.datetime(2026, 1, 1)
FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
               404: 'itemNotFound', 405: 'badMethod',
               409: 'conflictingRequest', 415: 'badMediaType',
               501: 'notImplemented', 503: 'serviceUnavailable'}
ADMIN_RULES = frozenset({
    'os_compute_api:servers:index:get_all_tenants',
    'os_compute_api:servers:detail:get_all_tenants',
    'os_compute_api:os-availability-zone:detail',
})


def pod_response(status: int, body: Any = None,
                 headers: Mapping[str, str] | None = None
                 ) -> requests.Response:
    """Return a pod's HTTP answer (JSON ``body``; None: empty)."""
    response = requests.Response()
    response.status_code = status
    response.url = 'http://pod.example/'
    if body is not None:
        response._content = json.dumps(body).encode()
        response.headers['Content-Type'] = 'application/json'
    else:
        response._content = b''
    response.headers.update(headers or {})
    return response


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

    def __init__(self, pod: Pod, root: str) -> None:
        self.pod = pod
        self.root = root
        self.servers: dict[str, dict[str, Any]] = {}
        self.keypairs: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.refusing = False
        self.max_version = '2.104'
        self.flavors = {'1': 'm1.tiny', '2': 'm1.small'}
        self.limits = {'maxTotalInstances': 10, 'totalInstancesUsed': 0,
                       'maxTotalCores': 20, 'totalCoresUsed': 0,
                       'maxServerMeta': 128}
        #: (method, path) -> answer overriding the emulation
        self.scripted: dict[tuple[str, str], requests.Response] = {}
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

    @staticmethod
    def shown(record: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith('_')}

    # the HTTP surface

    def handle(self, method: str, path: str, params: list[tuple[str, str]],
               body: Any, microversion: str | None,
               context: Any) -> requests.Response:
        path = urllib.parse.unquote(path.lstrip('/'))
        self.calls.append(Call(method, path, list(params), body,
                               microversion, context.project_id))
        if self.refusing:
            raise ks_exc.ConnectFailure(f'{self.pod.name} refused')
        if (method, path) in self.scripted:
            return self.scripted[(method, path)]
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


class FakeCompute:
    """``conn.compute`` of one pod, acting as one caller."""

    def __init__(self, nova: FakeNova, context: Any) -> None:
        self.nova = nova
        self.context = context

    def get_endpoint(self) -> str:
        return self.nova.root + '/v2.1'

    def request(self, path: str, method: str, json: Any = None,
                params: Any = None, microversion: str | None = None,
                headers: Mapping[str, str] | None = None,
                raise_exc: bool = True) -> requests.Response:
        if isinstance(params, Mapping):
            params = list(params.items())
        return self.nova.handle(method, path, list(params or []), json,
                                microversion, self.context)


class FakeGateway:
    """:class:`trio2o_core.plugin.Gateway` over :class:`FakeNova` pods
    and in-memory routings; fan-out runs the calls one after another."""

    def __init__(self, pods: int = 3) -> None:
        self.conf = types.SimpleNamespace(
            nova=types.SimpleNamespace(max_microversion=None,
                                       enabled_server_actions=None),
            pods=types.SimpleNamespace(timeout=10.0),
            api=types.SimpleNamespace(max_limit=1000),
            scheduler=types.SimpleNamespace(default_availability_zone=None))
        self.novas: dict[str, FakeNova] = {}
        for index in range(1, pods + 1):
            pod = Pod(f'pod-{index}', f'Pod{index}', f'az{index}',
                      f'pod{index}-zone', None, True)
            self.novas[pod.id] = FakeNova(
                pod, f'http://pod{index}.example:8774')
        self.routings: dict[tuple[str, str], Routing] = {}
        self.down: set[str] = set()
        self.enforced: list[str] = []
        self._clock = itertools.count()

    @property
    def pods(self) -> list[Pod]:
        return [nova.pod for nova in self.novas.values()]

    def nova(self, index: int) -> FakeNova:
        """The pod named ``Pod<index>``."""
        return self.novas[f'pod-{index}']

    def route(self, top_id: str, pod: Pod, project: str = PROJECT,
              resource_type: str = 'server',
              status: str = 'active') -> Routing:
        routing = Routing(top_id, resource_type, top_id, pod, project,
                          status, EPOCH + datetime.timedelta(
                              seconds=next(self._clock)))
        self.routings[(top_id, resource_type)] = routing
        return routing

    def add_server(self, index: int, project: str = PROJECT,
                   routed: bool = True, **fields: Any) -> dict[str, Any]:
        """A server in pod ``index``, routed for ``project``."""
        record = self.nova(index).add_server(project, **fields)
        if routed:
            self.route(record['id'], self.nova(index).pod, project)
        return record

    def of_type(self, resource_type: str) -> list[Routing]:
        return [r for (_, kind), r in self.routings.items()
                if kind == resource_type]

    # Gateway

    def list_pods(self, enabled_only: bool = True) -> list[Pod]:
        return sorted((p for p in self.pods
                       if p.enabled or not enabled_only),
                      key=lambda pod: pod.name)

    def get_pod(self, pod_id: str) -> Pod:
        return self.novas[pod_id].pod

    def lookup(self, context: Any, top_id: str,
               resource_type: str) -> Routing | None:
        routing = self.routings.get((top_id, resource_type))
        if routing is None or (routing.project_id != context.project_id
                               and not context.is_admin):
            return None
        return routing

    def record(self, context: Any, top_id: str, resource_type: str,
               pod: Pod, bottom_id: str | None = None,
               status: str = 'creating') -> Routing:
        if (top_id, resource_type) in self.routings:
            raise Conflict(f'{resource_type} {top_id} already exists.')
        routing = self.route(top_id, pod, context.project_id,
                             resource_type, status)
        return routing

    def set_status(self, top_id: str, resource_type: str,
                   status: str) -> None:
        key = (top_id, resource_type)
        self.routings[key] = dataclasses.replace(self.routings[key],
                                                 status=status)

    def forget(self, top_id: str, resource_type: str) -> None:
        self.routings.pop((top_id, resource_type), None)

    def list_routings(self, context: Any, resource_type: str,
                      all_projects: bool = False,
                      pod_id: str | None = None) -> list[Routing]:
        return [r for r in self.of_type(resource_type)
                if (all_projects or r.project_id == context.project_id)
                and (pod_id is None or r.pod.id == pod_id)]

    def schedule(self, context: Any, resource_type: str,
                 az_name: str | None) -> Pod:
        in_az = [p for p in self.list_pods()
                 if az_name is None or p.az_name == az_name]
        if not in_az:
            raise NoValidPod('The requested availability zone is not '
                             'available')
        up = [p for p in in_az if not self.is_down(p)]
        if not up:
            raise NoValidPod('No valid host was found. There are not '
                             'enough hosts available.')
        return up[0]

    def connect(self, context: Any, pod: Pod) -> Any:
        return types.SimpleNamespace(
            compute=FakeCompute(self.novas[pod.id], context))

    def fanout(self, func: Callable[[Pod], Any], pods: Iterable[Pod],
               timeout: float | None = None) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for pod in pods:
            try:
                results[pod.id] = func(pod)
            except Exception as exc:
                results[pod.id] = exc
                if isinstance(exc, (ks_exc.ConnectFailure, TimeoutError)):
                    self.mark_down(pod)
        return results

    def is_down(self, pod: Pod) -> bool:
        return pod.id in self.down

    def mark_down(self, pod: Pod) -> None:
        self.down.add(pod.id)

    def mark_up(self, pod: Pod) -> None:
        self.down.discard(pod.id)

    def enforce(self, context: Any, rule: str,
                target: Mapping[str, Any] | None = None) -> None:
        self.enforced.append(rule)
        if rule in ADMIN_RULES and not context.is_admin:
            raise Forbidden(f"Policy doesn't allow {rule} to be performed.")

    def load_plugins(self, group: str,
                     enabled: Iterable[str] | None) -> dict[str, Any]:
        return {}


@dataclasses.dataclass
class Reply:
    """A response as the client sees it."""

    status: int
    headers: Mapping[str, str]
    body: Any

    def message(self) -> str:
        """The message of a Nova fault."""
        return next(iter(self.body.values()))['message']


class Client:
    """Sends requests through a service driver as the core router does:
    Routes matching (404/405), ``prepare``, the handler, faults for
    exceptions, ``finish``."""

    def __init__(self, service: Any, project: str = PROJECT,
                 admin: bool = False) -> None:
        self.service = service
        self.project = project
        self.admin = admin
        self.mapper = routes.Mapper()
        self.table = {}
        for route in service.routes():
            self.table[route.path] = route
            self.mapper.connect(route.path, path_template=route.path)

    def as_user(self, project: str = PROJECT, admin: bool = False
                ) -> Client:
        return Client(self.service, project, admin)

    def request(self, method: str, path: str, body: Any = None,
                version: str | None = None,
                headers: Mapping[str, str] | None = None,
                public_url: str | None = None) -> Reply:
        request = Request.blank(path, base_url=GATEWAY + '/compute',
                                method=method)
        if body is not None:
            request.body = json.dumps(body).encode()
            request.content_type = 'application/json'
        if version is not None:
            request.headers['OpenStack-API-Version'] = f'compute {version}'
        request.headers.update(headers or {})
        if public_url is not None:
            request.environ['trio2o.public_url'] = public_url
        request.environ[CONTEXT_KEY] = o_context.RequestContext(
            project_id=self.project, user_id='user-1', is_admin=self.admin,
            roles=['admin'] if self.admin else ['member', 'reader'],
            auth_token=f'token-{self.project}', request_id='req-0001')
        try:
            response = self._dispatch(request)
        except PluginError as exc:
            response = _fault(exc.code, exc.user_message)
        except webob.exc.HTTPException as exc:
            response = _fault(exc.code, exc.detail or exc.explanation)
        except Exception as exc:
            if getattr(exc, 'status_code', None):
                response = _fault(500, f'pod error {exc}')
            else:
                raise
        self.service.finish(request, response)
        body = json.loads(response.body) if response.body else None
        return Reply(response.status_code, response.headers, body)

    def get(self, path: str, **options: Any) -> Reply:
        return self.request('GET', path, **options)

    def post(self, path: str, body: Any, **options: Any) -> Reply:
        return self.request('POST', path, body, **options)

    def _dispatch(self, request: Request) -> webob.Response:
        path = request.path_info
        match = self.mapper.match(path.rstrip('/') or '/')
        if match is None:
            raise webob.exc.HTTPNotFound()
        route = self.table[match.pop('path_template')]
        handler = route.methods.get(request.method)
        if handler is None:
            raise webob.exc.HTTPMethodNotAllowed()
        self.service.prepare(request)
        return handler(request, **match)


def _fault(code: int, message: str) -> webob.Response:
    name = FAULT_NAMES.get(code, 'computeFault')
    response = webob.Response(status=code, content_type='application/json',
                              charset='UTF-8')
    response.json_body = {name: {'code': code, 'message': message}}
    return response
