"""Fake Cinder pods behind the test kit's fake gateway: version
document, ``/volumes`` and ``/snapshots`` (detail lists sorted by
Cinder's ``sort``, paged by ``limit`` and ``marker``, ``with_count``),
``POST /volumes`` and volume actions."""

from __future__ import annotations

import datetime
import itertools
import uuid
from typing import Any

import requests

from trio2o_core.plugin import Pod
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import PROJECT
from trio2o_core.testing.fakes import FakeGateway

START = datetime.datetime(2026, 1, 1)
_SORTED_BY = {'display_name': 'name'}


def fault(status: int, name: str, message: str) -> requests.Response:
    return pod_response(status, {name: {'code': status, 'message': message}})


class FakeCinder:
    """One pod's Cinder; ``records`` of every project by collection."""

    def __init__(self, pod: Pod, clock: itertools.count[int]) -> None:
        self.pod = pod
        self.clock = clock
        self.records: dict[str, dict[str, dict[str, Any]]] = {
            'volumes': {}, 'snapshots': {}}

    def add(self, collection: str = 'volumes', project: str = PROJECT,
            **fields: Any) -> dict[str, Any]:
        """A record a second younger than the previous one of any pod."""
        created = START + datetime.timedelta(seconds=next(self.clock))
        record = {'id': str(uuid.uuid4()),
                  'name': 'vol', 'size': 1, 'status': 'available',
                  'availability_zone': self.pod.pod_az_name,
                  'os-vol-tenant-attr:tenant_id': project,
                  'created_at': created.isoformat(timespec='microseconds')}
        record.update(fields)
        self.records[collection][record['id']] = record
        return record

    def __call__(self, call: PodRequest) -> requests.Response:
        parts = call.path.strip('/').split('/')
        if parts == ['']:
            return pod_response(200, {'version': {
                'id': 'v3.0', 'version': '3.71', 'min_version': '3.0'}})
        collection = parts[0]
        if call.method == 'GET' and parts[1:] == ['detail']:
            return self._list(collection, call)
        if call.method == 'POST' and parts == ['volumes']:
            record = self.add(**{k: v for k, v in call.json['volume'].items()
                                 if k in ('name', 'size',
                                          'availability_zone')})
            return pod_response(202, {'volume': record})
        record = self.records.get(collection, {}).get(parts[1])
        if record is None:
            return fault(404, 'itemNotFound', f'{parts[1]} not found')
        if call.method == 'POST' and parts[2:] == ['action']:
            return pod_response(202)
        return pod_response(200, {collection[:-1]: record})

    def _list(self, collection: str, call: PodRequest) -> requests.Response:
        query = call.query
        records = [r for r in self.records[collection].values()
                   if all(r.get(k) == v for k, v in call.params
                          if k not in ('sort', 'limit', 'marker',
                                       'with_count'))]
        pairs = [item.split(':') for item in query['sort'].split(',')]
        for key, direction in reversed(pairs):
            records.sort(key=lambda r, k=key: r[_SORTED_BY.get(k, k)],
                         reverse=direction == 'desc')
        count = len(records)
        if 'marker' in query:
            ids = [r['id'] for r in records]
            records = records[ids.index(query['marker']) + 1:]
        limit = int(query['limit'])
        body: dict[str, Any] = {collection: records[:limit]}
        if len(records) > limit:
            body[f'{collection}_links'] = [{'rel': 'next', 'href': 'x'}]
        if query.get('with_count') == 'true':
            body['count'] = count
        return pod_response(200, body)


class CinderGateway(FakeGateway):
    """Pods ``Pod1``..``PodN`` of zones ``az1``.. serving Cinder."""

    def __init__(self, pods: int = 2) -> None:
        super().__init__(pods)
        clock = itertools.count()
        self.cinders = [FakeCinder(pod, clock) for pod in self.pod_list]
        for cinder in self.cinders:
            self.serve(cinder.pod, cinder)

    def add(self, index: int, collection: str = 'volumes',
            project: str = PROJECT, **fields: Any) -> dict[str, Any]:
        """A record in pod ``index`` (1-based), routed for ``project``."""
        record = self.cinders[index - 1].add(collection, project, **fields)
        self.route(record['id'], self.pod(index), project,
                   resource_type=collection[:-1])
        return record
