"""Host aggregates across pods: one name in every pod (all or none),
hosts in their own pod, no availability zone."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import requests

from tests.unit.nova import fakes
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response


class FakeAggregates:
    """The ``/os-aggregates`` of one pod (admins only; ids counted from
    ``first_id``), in front of the pod's other fake calls."""

    def __init__(self, nova: fakes.FakeNova, first_id: int) -> None:
        self.nova = nova
        self.hosts = {'compute1', 'compute2'}
        self.records: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(first_id)

    def __call__(self, call: PodRequest) -> requests.Response:
        parts = call.path.strip('/').split('/')
        if parts[0] != 'os-aggregates':
            return self.nova(call)
        if call.context is None or not call.context.is_admin:
            return fakes.fault(403, 'Policy does not allow it.')
        if len(parts) == 1:
            if call.method == 'GET':
                return pod_response(200, {'aggregates': list(
                    self.records.values())})
            return self._create(call.json['aggregate'])
        record = self.records.get(int(parts[1]))
        if record is None:
            return fakes.fault(404, f'Aggregate {parts[1]} could not be '
                                    'found.')
        if call.method == 'DELETE':
            if record['hosts']:
                return fakes.fault(400, 'Host aggregate is not empty')
            del self.records[record['id']]
            return pod_response(200)
        if call.method == 'PUT':
            name = call.json['aggregate']['name']
            if any(r['name'] == name for r in self.records.values()):
                return fakes.fault(409, f'Aggregate {name} already exists.')
            record['name'] = name
        if len(parts) == 3:
            return self._action(record, call.json)
        return pod_response(200, {'aggregate': record})

    def _create(self, values: dict[str, Any]) -> requests.Response:
        if any(r['name'] == values['name'] for r in self.records.values()):
            return fakes.fault(409, f"Aggregate {values['name']} already "
                                    'exists.')
        record = {'id': next(self._ids), 'name': values['name'],
                  'availability_zone': None, 'hosts': [], 'metadata': {}}
        self.records[record['id']] = record
        return pod_response(200, {'aggregate': {
            k: v for k, v in record.items() if k not in ('hosts',
                                                         'metadata')}})

    def _action(self, record: dict[str, Any],
                body: dict[str, Any]) -> requests.Response:
        ((action, value),) = body.items()
        if action == 'set_metadata':
            for key, item in value['metadata'].items():
                if item is None:
                    record['metadata'].pop(key, None)
                else:
                    record['metadata'][key] = item
        elif value['host'] not in self.hosts:
            return fakes.fault(404, f"Compute host {value['host']} could "
                                    'not be found.')
        elif action == 'add_host':
            if value['host'] in record['hosts']:
                return fakes.fault(409, 'Host already in aggregate')
            record['hosts'].append(value['host'])
        else:
            record['hosts'].remove(value['host'])
        return pod_response(200, {'aggregate': record})


@pytest.fixture
def pods(gateway: fakes.NovaGateway) -> list[FakeAggregates]:
    """Each pod's aggregates; pod N counts its ids from 10 * N."""
    found = []
    for index, pod in enumerate(gateway.pods, 1):
        found.append(FakeAggregates(gateway.nova(index), 10 * index))
        gateway.serve(pod, found[-1])
    return found


def aggregate_calls(gateway: fakes.NovaGateway, index: int,
                    method: str) -> list[fakes.Call]:
    return [c for c in gateway.nova(index).calls
            if c.method == method and c.path.startswith('os-aggregates')]


def test_created_in_every_pod_with_the_first_pod_s_answer(admin, pods):
    reply = admin.post('/v2.1/os-aggregates',
                       {'aggregate': {'name': 'fast'}})

    assert reply.status == 200
    assert reply.body['aggregate']['id'] == 10
    assert [list(p.records) for p in pods] == [[10], [20], [30]]


def test_a_create_a_later_pod_refuses_is_undone(admin, pods):
    pods[2].records[30] = {'id': 30, 'name': 'fast', 'hosts': [],
                           'availability_zone': None, 'metadata': {}}

    reply = admin.post('/v2.1/os-aggregates',
                       {'aggregate': {'name': 'fast'}})

    assert (reply.status, reply.message()) == (
        409, 'Aggregate fast already exists.')
    assert [list(p.records) for p in pods] == [[], [], [30]]


def test_one_aggregate_per_name_with_every_pod_s_hosts(admin, gateway,
                                                       pods):
    admin.post('/v2.1/os-aggregates', {'aggregate': {'name': 'fast'}})

    added = admin.post('/v2.1/os-aggregates/10/action',
                       {'add_host': {'host': 'compute2@Pod2'}})
    admin.post('/v2.1/os-aggregates/10/action',
               {'add_host': {'host': 'compute1@Pod1'}})
    listed = admin.get('/v2.1/os-aggregates')

    assert added.body['aggregate']['hosts'] == ['compute2@Pod2']
    assert added.body['aggregate']['id'] == 10
    assert [(p.records[10 * i]['hosts']) for i, p in enumerate(pods, 1)] == [
        ['compute1'], ['compute2'], []]
    assert not [c for c in aggregate_calls(gateway, 3, 'POST')
                if c.path.endswith('/action')]
    [shown] = listed.body['aggregates']
    assert (shown['id'], shown['hosts']) == (
        10, ['compute1@Pod1', 'compute2@Pod2'])


def test_unknown_host_is_the_pod_s_404_and_unknown_id_the_first_s(
        admin, pods):
    admin.post('/v2.1/os-aggregates', {'aggregate': {'name': 'fast'}})

    host = admin.post('/v2.1/os-aggregates/10/action',
                      {'add_host': {'host': 'nothing@Pod2'}})
    # pod 2's own id of the aggregate is not the one the gateway shows
    other = admin.get('/v2.1/os-aggregates/20')

    assert (host.status, host.message()) == (
        404, 'Compute host nothing could not be found.')
    assert (other.status, other.message()) == (
        404, 'Aggregate 20 could not be found.')


def test_an_availability_zone_is_refused_before_any_pod(admin, gateway,
                                                        pods):
    reply = admin.post('/v2.1/os-aggregates', {'aggregate': {
        'name': 'fast', 'availability_zone': 'az1'}})
    admin.post('/v2.1/os-aggregates', {'aggregate': {'name': 'slow'}})
    metadata = admin.post('/v2.1/os-aggregates/10/action', {
        'set_metadata': {'metadata': {'availability_zone': 'az2'}}})

    assert reply.status == 400
    assert reply.message().startswith('An aggregate cannot set an '
                                      'availability zone')
    assert metadata.status == 400
    assert [list(p.records) for p in pods] == [[10], [20], [30]]
    assert [r['metadata'] for p in pods for r in p.records.values()] == [
        {}, {}, {}]


def test_metadata_a_later_pod_refuses_is_written_back(admin, gateway,
                                                      pods):
    admin.post('/v2.1/os-aggregates', {'aggregate': {'name': 'fast'}})
    admin.post('/v2.1/os-aggregates/10/action', {
        'set_metadata': {'metadata': {'ssd': 'no'}}})
    gateway.script(pods[2].nova.pod, 'POST', '/os-aggregates/30/action',
                   fakes.fault(409, 'refused'))

    reply = admin.post('/v2.1/os-aggregates/10/action', {
        'set_metadata': {'metadata': {'ssd': 'yes', 'new': '1'}}})

    assert reply.status == 409
    assert pods[0].records[10]['metadata'] == {'ssd': 'no'}
    assert pods[1].records[20]['metadata'] == {'ssd': 'no'}


def test_a_delete_asks_the_pods_holding_hosts_first(admin, pods):
    admin.post('/v2.1/os-aggregates', {'aggregate': {'name': 'fast'}})
    admin.post('/v2.1/os-aggregates/10/action',
               {'add_host': {'host': 'compute1@Pod3'}})

    refused = admin.delete('/v2.1/os-aggregates/10')

    assert refused.status == 400
    assert [list(p.records) for p in pods] == [[10], [20], [30]]

    admin.post('/v2.1/os-aggregates/10/action',
               {'remove_host': {'host': 'compute1@Pod3'}})
    deleted = admin.delete('/v2.1/os-aggregates/10')

    assert deleted.status == 200
    assert [list(p.records) for p in pods] == [[], [], []]


def test_a_write_with_a_pod_down_is_503_and_sends_nothing(admin, gateway,
                                                          pods):
    gateway.mark_down(gateway.pods[1])

    reply = admin.post('/v2.1/os-aggregates',
                       {'aggregate': {'name': 'fast'}})

    assert reply.status == 503
    assert not aggregate_calls(gateway, 1, 'POST')


def test_members_get_the_pod_s_403(client, pods):
    assert client.get('/v2.1/os-aggregates').status == 403
    assert client.post('/v2.1/os-aggregates', {
        'aggregate': {'name': 'x'}}).status == 403
