"""Migrations and server external events (admin) through the gateway
against two real Nova pods: each server's in its pod."""

from __future__ import annotations

import uuid

from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for


def test_migrations_of_every_pod_with_hosts_in_their_pod(demo, admin):
    server = boot(demo, 'az2')
    try:
        admin.compute.post(f'/servers/{server.id}/action',
                           json={'resize': {'flavorRef': '2'}})
        wait_for(lambda: admin.compute.get_server(server.id).status
                 == 'VERIFY_RESIZE', 'VERIFY_RESIZE')

        listed = admin.compute.get('/os-migrations', microversion='2.23',
                                   params={'instance_uuid': server.id}
                                   ).json()['migrations']
        every = admin.compute.get('/os-migrations').json()['migrations']

        assert [m['instance_uuid'] for m in listed] == [server.id]
        assert listed[0]['source_compute'].endswith('@Pod2')
        assert listed[0]['migration_type'] == 'resize'
        assert server.id in {m['instance_uuid'] for m in every}
        created = [m['created_at'] for m in every]
        assert created == sorted(created, reverse=True)
        admin.compute.post(f'/servers/{server.id}/action',
                           json={'confirmResize': None})
    finally:
        admin.compute.delete_server(server.id, ignore_missing=True)


def test_external_events_go_to_each_server_s_pod(admin, demo, pair):
    unknown = str(uuid.uuid4())
    events = [{'name': 'network-changed', 'server_uuid': server.id}
              for server in pair]
    events.append({'name': 'network-changed', 'server_uuid': unknown})

    answer = admin.compute.post('/os-server-external-events',
                                json={'events': events}, raise_exc=False)
    none_routed = admin.compute.post(
        '/os-server-external-events', json={'events': events[2:]},
        raise_exc=False)
    refused = demo.compute.post('/os-server-external-events',
                                json={'events': events[:1]},
                                raise_exc=False)

    assert answer.status_code == 207
    assert [(e['server_uuid'], e['code'], e['status'])
            for e in answer.json()['events']] == [
        (pair[0].id, 200, 'completed'), (pair[1].id, 200, 'completed'),
        (unknown, 404, 'failed')]
    assert none_routed.status_code == 207
    assert none_routed.json()['events'][0]['code'] == 404
    assert refused.status_code == 403
