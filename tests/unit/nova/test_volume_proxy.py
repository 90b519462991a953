"""The compute API's volume and snapshot proxy across pods: each call in
the pod of its volume or snapshot, creates placed and routed, lists
merged newest first with Nova's offset and limit."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import requests

from tests.unit.nova import fakes
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response

V = '2.35'


class FakeProxy:
    """One pod's ``/os-volumes`` and ``/os-snapshots`` (Nova's answers
    to what it proxies), in front of the pod's other fake calls."""

    def __init__(self, nova: fakes.FakeNova, clock: Any) -> None:
        self.nova = nova
        self.clock = clock
        self.items: dict[str, dict[str, dict[str, Any]]] = {
            'os-volumes': {}, 'os-snapshots': {}}

    def add(self, collection: str, item_id: str, **fields: Any
            ) -> dict[str, Any]:
        record = {'id': item_id, 'status': 'available',
                  'createdAt': f'2026-01-01T00:00:{next(self.clock):02d}',
                  'availabilityZone': self.nova.pod.pod_az_name, **fields}
        self.items[collection][item_id] = record
        return record

    def __call__(self, call: PodRequest) -> requests.Response:
        parts = call.path.strip('/').split('/')
        if parts[0] not in self.items:
            return self.nova(call)
        items = self.items[parts[0]]
        key = parts[0].removeprefix('os-')
        if call.method == 'POST':
            body = call.json[key[:-1]]
            if key == 'volumes' and not isinstance(body.get('size'), int):
                return fakes.fault(400, "Invalid input for field/attribute "
                                        "size.")
            made = self.add(parts[0], f'{key[0]}-{len(items) + 1}'
                            f'-{self.nova.pod.name}', **body)
            return pod_response(200, {key[:-1]: made})
        if len(parts) == 1 or parts[1] == 'detail':
            return pod_response(200, {key: list(items.values())})
        record = items.get(parts[1])
        if record is None:
            return fakes.fault(404, f'{key[:-1].title()} {parts[1]} could '
                                    'not be found.')
        if call.method == 'DELETE':
            del items[parts[1]]
            return pod_response(202)
        return pod_response(200, {key[:-1]: record})


@pytest.fixture
def pods(gateway: fakes.NovaGateway) -> list[FakeProxy]:
    clock = itertools.count()
    found = []
    for index, pod in enumerate(gateway.pods, 1):
        found.append(FakeProxy(gateway.nova(index), clock))
        gateway.serve(pod, found[-1])
    return found


def proxy_calls(gateway: fakes.NovaGateway, index: int) -> list[fakes.Call]:
    return [c for c in gateway.nova(index).calls
            if c.path.startswith(('os-volumes', 'os-snapshots'))]


def test_a_volume_is_made_in_its_zone_s_pod_and_routed(client, gateway,
                                                       pods):
    reply = client.post('/v2.1/os-volumes', {'volume': {
        'size': 1, 'availability_zone': 'az2'}}, version=V)

    assert reply.status == 200
    volume = reply.body['volume']
    assert volume['availabilityZone'] == 'az2'
    [call] = proxy_calls(gateway, 2)
    assert call.json['volume']['availability_zone'] == 'pod2-zone'
    routing = gateway.routings[(volume['id'], 'volume')]
    assert (routing.pod.name, routing.status) == ('Pod2', 'active')
    assert not proxy_calls(gateway, 1)


def test_a_refused_create_routes_nothing(client, gateway, pods):
    reply = client.post('/v2.1/os-volumes', {'volume': {'size': 'x'}},
                        version=V)

    assert reply.status == 400
    assert not gateway.of_type('volume')


def test_a_snapshot_is_made_in_its_volume_s_pod(client, gateway, pods):
    pods[2].add('os-volumes', 'vol')
    gateway.route('vol', gateway.pods[2], resource_type='volume')

    made = client.post('/v2.1/os-snapshots', {'snapshot': {
        'volume_id': 'vol'}}, version=V)
    unknown = client.post('/v2.1/os-snapshots', {'snapshot': {
        'volume_id': 'nothing'}}, version=V)

    snapshot_id = made.body['snapshot']['id']
    assert gateway.routings[(snapshot_id, 'snapshot')].pod.name == 'Pod3'
    assert (unknown.status, unknown.message()) == (
        404, 'Volume nothing could not be found.')
    assert [c.method for c in proxy_calls(gateway, 3)] == ['POST']


def test_lists_merge_routed_ids_newest_first_with_offset_and_limit(
        client, gateway, pods):
    for index, pod in ((1, 0), (2, 1), (3, 0), (4, 1)):
        pods[pod].add('os-volumes', f'v{index}')
        gateway.route(f'v{index}', gateway.pods[pod],
                      resource_type='volume')
    pods[2].add('os-volumes', 'not-routed')

    listed = client.get('/v2.1/os-volumes/detail', version=V)
    page = client.get('/v2.1/os-volumes?offset=1&limit=2', version=V)
    bad = client.get('/v2.1/os-volumes?limit=-1', version=V)

    assert [v['id'] for v in listed.body['volumes']] == [
        'v4', 'v3', 'v2', 'v1']
    assert listed.body['volumes'][0]['availabilityZone'] == 'az2'
    assert [v['id'] for v in page.body['volumes']] == ['v3', 'v2']
    assert (bad.status, bad.message()) == (400,
                                           'limit param must be positive')
    assert not proxy_calls(gateway, 3)


def test_calls_on_one_go_to_its_pod(client, gateway, pods):
    pods[1].add('os-snapshots', 'snap')
    gateway.route('snap', gateway.pods[1], resource_type='snapshot')
    gateway.route('gone', gateway.pods[1], resource_type='snapshot')

    shown = client.get('/v2.1/os-snapshots/snap', version=V)
    deleted = client.delete('/v2.1/os-snapshots/snap', version=V)
    gone = client.get('/v2.1/os-snapshots/gone', version=V)
    unknown = client.get('/v2.1/os-volumes/nothing', version=V)

    assert shown.body['snapshot']['availabilityZone'] == 'az2'
    assert deleted.status == 202
    assert gateway.routings[('snap', 'snapshot')].status == 'deleting'
    assert gone.status == 404
    assert ('gone', 'snapshot') not in gateway.routings
    assert (unknown.status, unknown.message()) == (
        404, 'Volume nothing could not be found.')


def test_from_2_36_the_first_pod_answers(client, gateway, pods):
    gateway.script(gateway.pods[0], 'GET', '/os-volumes',
                   fakes.fault(404, 'The resource could not be found.'))

    reply = client.get('/v2.1/os-volumes', version='2.36')

    assert reply.status == 404
    assert [c.path for c in proxy_calls(gateway, 1)] == ['os-volumes']
