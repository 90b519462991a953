"""createImage of a volume-backed server through the gateway against real
Nova and Cinder pods: the volume snapshot Nova makes for the image is
routed to the server's pod, so the block-storage API reaches it."""

from __future__ import annotations

import json
import uuid

from openstack import exceptions as sdk_exc

from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import wait_active
from tests.functional.nova.conftest import wait_for
from tests.functional.nova.conftest import wait_gone
from tests.functional.nova.test_volume_proxy import pod_of


def _status(conn, path, key):
    response = conn.block_storage.get(path, raise_exc=False)
    return 'gone' if response.status_code == 404 else response.json()[
        key]['status']


def test_the_snapshot_of_a_volume_backed_server_s_image_is_routed(
        demo, admin, gateway, admin_session):
    volume = demo.block_storage.post('/volumes', json={'volume': {
        'size': 1, 'imageRef': IMAGE_ID, 'availability_zone': 'az2',
        'name': f'bfv-{uuid.uuid4().hex[:8]}'}}).json()['volume']
    server_id = image_id = snapshot_id = None
    try:
        wait_for(lambda: _status(demo, f"/volumes/{volume['id']}",
                                 'volume') == 'available', 'volume ready')
        server_id = demo.compute.post('/servers', json={'server': {
            'name': volume['name'], 'flavorRef': FLAVOR_ID,
            'networks': 'none', 'block_device_mapping_v2': [{
                'boot_index': 0, 'uuid': volume['id'],
                'source_type': 'volume', 'destination_type': 'volume'}]}},
            microversion='2.37').json()['server']['id']
        wait_active(demo, server_id)

        made = demo.compute.post(f'/servers/{server_id}/action', json={
            'createImage': {'name': 'bfv-image'}}, microversion='2.1')

        assert made.status_code == 202
        image_id = made.headers['Location'].rsplit('/', 1)[-1]
        image = demo.image.get(f'/images/{image_id}').json()
        [mapping] = [m for m in json.loads(image['block_device_mapping'])
                     if m.get('snapshot_id')]
        snapshot_id = mapping['snapshot_id']
        assert pod_of(gateway, admin_session, 'snapshot',
                      snapshot_id) == 'Pod2'
        wait_for(lambda: _status(demo, f'/snapshots/{snapshot_id}',
                                 'snapshot') == 'available',
                 'snapshot shown through the gateway')
    finally:
        if image_id:
            demo.image.delete(f'/images/{image_id}', raise_exc=False)
        if server_id:
            admin.compute.delete_server(server_id, ignore_missing=True)
            wait_gone(admin, server_id)
        if snapshot_id:
            demo.block_storage.delete(f'/snapshots/{snapshot_id}',
                                      raise_exc=False)
            wait_for(lambda: _status(demo, f'/snapshots/{snapshot_id}',
                                     'snapshot') == 'gone', 'snapshot gone')
        wait_for(lambda: _status(demo, f"/volumes/{volume['id']}",
                                 'volume') == 'available', 'volume free')
        try:
            demo.block_storage.delete(f"/volumes/{volume['id']}")
        except sdk_exc.NotFoundException:
            pass
