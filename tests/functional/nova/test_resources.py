"""Resources around servers through the gateway: zones, flavors, key
pairs present in every pod."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.nova.conftest import boot


def test_zones_are_the_users_zones(demo):
    zones = [z.name for z in demo.compute.availability_zones()]

    assert zones == ['az1', 'az2']


def test_flavors_with_gateway_links(gateway, demo):
    flavors = demo.compute.get('/flavors').json()['flavors']

    assert flavors
    assert all(link['href'].startswith(gateway.url)
               for flavor in flavors for link in flavor['links'])


@pytest.fixture
def keypair(demo):
    created = demo.compute.create_keypair(name=f'k-{uuid.uuid4().hex[:8]}')
    yield created
    demo.compute.delete_keypair(created.name, ignore_missing=True)


def test_keypair_exists_in_every_pod(gateway, keypair):
    session = gateway.cloud.session(gateway.cloud.users[0])

    for pod in [p for p in gateway.cloud.pods if p.compute_url]:
        response = session.get(f'{pod.compute_url}/os-keypairs/'
                               f'{keypair.name}')
        assert response.json()['keypair']['public_key'] == (
            keypair.public_key)


def test_server_in_each_pod_can_use_the_keypair(demo, admin, keypair):
    servers = []
    try:
        for zone in ('az1', 'az2'):
            servers.append(boot(demo, zone, key_name=keypair.name))
        assert {s.key_name for s in servers} == {keypair.name}
    finally:
        for server in servers:
            admin.compute.delete_server(server.id, ignore_missing=True)
