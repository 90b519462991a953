"""Actions whose handler checks or rewrites something, against real pods:
resize's flavor and rebuild's image are looked up in the server's pod,
and the hrefs they answer with point at the gateway."""

from __future__ import annotations

from typing import Any

import openstack.connection

from trio2o_core.testing.gateway import GatewayProcess

from .conftest import IMAGE_ID
from .conftest import action
from .conftest import fault_message
from .conftest import wait_idle
from .conftest import wait_status

Conn = openstack.connection.Connection
UNKNOWN_IMAGE = '00000000-0000-4000-8000-000000000000'


def test_resize_checks_the_flavor_in_the_pod(demo: Conn,
                                             server: Any) -> None:
    response = action(demo, server.id, {'resize': {'flavorRef': '424242'}})
    assert (response.status_code, fault_message(response)) == (
        400, 'Flavor 424242 could not be found.')
    response = action(demo, server.id, {'resize': {'flavorRef': '2'}})
    assert response.status_code == 202
    wait_status(demo, server.id, 'VERIFY_RESIZE')
    response = action(demo, server.id, {'confirmResize': None})
    assert response.status_code == 204
    assert wait_status(demo, server.id, 'ACTIVE').flavor.name == 'm1.small'


def test_rebuild_checks_the_image_and_answers_at_the_gateway(
        gateway: GatewayProcess, demo: Conn, server: Any) -> None:
    response = action(demo, server.id,
                      {'rebuild': {'imageRef': UNKNOWN_IMAGE}})
    assert (response.status_code, fault_message(response)) == (
        400, 'Cannot find image for rebuild')
    response = action(demo, server.id, {'rebuild': {
        'imageRef': IMAGE_ID, 'name': 'rebuilt'}}, version='2.75')
    assert response.status_code == 202
    self_link = f'{gateway.url}/compute/v2.1/servers/{server.id}'
    assert response.headers['Location'] == self_link
    rebuilt = response.json()['server']
    assert rebuilt['name'] == 'rebuilt'
    assert rebuilt['OS-EXT-AZ:availability_zone'] == server.availability_zone
    assert self_link in {link['href'] for link in rebuilt['links']}
    wait_status(demo, server.id, 'ACTIVE')


def test_create_image_location_is_the_gateway_image_service(
        gateway: GatewayProcess, demo: Conn, server: Any) -> None:
    response = action(demo, server.id, {'createImage': {'name': 'snap'}},
                      version='2.44')
    assert response.status_code == 202
    location = response.headers['Location']
    image_id = location.rsplit('/', 1)[1]
    assert location == f'{gateway.url}/image/v2/images/{image_id}'
    wait_idle(demo, server.id)
    response = action(demo, server.id, {'createImage': {'name': 'snap2'}},
                      version='2.45')
    assert response.status_code == 202
    assert list(response.json()) == ['image_id']
    assert 'Location' not in response.headers
