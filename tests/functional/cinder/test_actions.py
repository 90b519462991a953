"""Volume actions through the gateway: forwarded to the volume's pod,
Cinder's dispatch errors made at the gateway."""

from __future__ import annotations

import uuid

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_gone
from tests.functional.cinder.conftest import wait_status

SUFFIX = ' Verify the request body and Content-Type header and try again.'


def _action(conn, volume_id, body, **kwargs):
    return conn.block_storage.post(f'/volumes/{volume_id}/action',
                                   json=body, raise_exc=False, **kwargs)


def test_extend_goes_to_the_pod(demo):
    volume = make_volume(demo, 'az2')
    try:
        response = _action(demo, volume['id'], {'os-extend': {'new_size': 2}})
        assert response.status_code == 202
        extended = wait_status(demo, f'/volumes/{volume["id"]}', 'volume')
        assert extended['size'] == 2
        smaller = _action(demo, volume['id'], {'os-extend': {'new_size': 1}})
        assert smaller.status_code == 400
        assert smaller.json()['badRequest']['message'].startswith(
            'Invalid input received: New size for extend must be greater')
    finally:
        delete_volume(demo, volume['id'])


def test_set_bootable_and_image_metadata(demo, volumes):
    volume_id = volumes[0]['id']
    assert _action(demo, volume_id, {'os-set_bootable': {
        'bootable': True}}).status_code == 200
    assert demo.block_storage.get(
        f'/volumes/{volume_id}').json()['volume']['bootable'] == 'true'
    set_meta = _action(demo, volume_id, {'os-set_image_metadata': {
        'metadata': {'os_distro': 'cirros'}}})
    assert set_meta.status_code == 200
    shown = _action(demo, volume_id, {'os-show_image_metadata': None})
    assert shown.json()['metadata']['os_distro'] == 'cirros'


def test_unknown_action_is_cinders_400(demo, volumes):
    response = _action(demo, volumes[0]['id'], {'os-foo': {}})
    assert response.status_code == 400
    assert response.json()['badRequest']['message'] == (
        'There is no such action: os-foo.' + SUFFIX)


def test_malformed_bodies(demo, volumes):
    url = f'/volumes/{volumes[0]["id"]}/action'
    two = _action(demo, volumes[0]['id'], {'os-reserve': {},
                                           'os-unreserve': {}})
    assert two.json()['badRequest']['message'] == 'Malformed request body'
    empty = demo.block_storage.post(url, data=b'', raise_exc=False,
                                    headers={'Content-Type': ''})
    assert empty.json()['badRequest']['message'] == (
        'There is no such action: None.' + SUFFIX)
    text = demo.block_storage.post(url, data=b'{"os-reserve": {}}',
                                   headers={'Content-Type': 'text/plain'},
                                   raise_exc=False)
    assert text.status_code == 415


def test_revert_below_3_40_is_404(demo, volumes):
    response = _action(demo, volumes[0]['id'],
                       {'revert': {'snapshot_id': str(uuid.uuid4())}},
                       microversion='3.39')
    assert response.status_code == 404


def test_action_on_unknown_volume_is_404(demo):
    volume_id = str(uuid.uuid4())
    response = _action(demo, volume_id, {'os-reserve': {}})
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': f'Volume {volume_id} could not be found.'}}


def test_force_delete_clears_the_routing(gateway, demo, admin,
                                         admin_session):
    volume = make_volume(demo, 'az1')
    denied = _action(demo, volume['id'], {'os-force_delete': {}})
    assert denied.status_code == 403
    response = _action(admin, volume['id'], {'os-force_delete': {}})
    assert response.status_code == 202
    wait_gone(demo, f'/volumes/{volume["id"]}')
    assert routing_rows(gateway, admin_session, top_id=volume['id']) == []
