"""Where ``POST /v3/attachments`` goes: the volume's pod, never with a
server of another pod; and the API's microversion floor."""

from __future__ import annotations

import uuid

from tests.unit.cinder.fakes import CinderGateway
from trio2o_core.testing.client import Client


def attach(client: Client, version: str = '3.44', **fields: object):
    return client.request('POST', '/v3/attachments',
                          {'attachment': fields}, version=version)


def test_a_server_of_another_pod_is_refused_before_any_pod_call(
        client, gateway: CinderGateway):
    volume = gateway.add(1)
    server_id = str(uuid.uuid4())
    gateway.route(server_id, gateway.pod(2))
    reply = attach(client, volume_uuid=volume['id'], instance_uuid=server_id)
    assert (reply.status, reply.message()) == (400, (
        f'Invalid volume: Volume {volume["id"]} cannot be attached to '
        f'server {server_id}: a volume cannot be attached to a server of '
        'another pod.'))
    assert gateway.calls_to('POST') == []
    assert [kind for _, kind in gateway.routings] == ['volume', 'server']


def test_below_3_27_the_api_does_not_exist(client, gateway):
    volume = gateway.add(1)
    reply = attach(client, version='3.26', volume_uuid=volume['id'])
    assert (reply.status, reply.message()) == (
        404, 'The resource could not be found.')
    assert gateway.calls_to('POST') == []
