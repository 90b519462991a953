"""Volumes through the gateway against two real Cinder pods: create by
zone, show, update, metadata, delete, Cinder's errors, project URLs."""

from __future__ import annotations

import uuid

from tests.functional.cinder.conftest import ZONES
from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.cinder.conftest import routing_rows as routings
from tests.functional.cinder.conftest import wait_gone


def test_volume_lands_in_its_zones_pod(gateway, demo, admin_session,
                                       volumes):
    for zone, volume, pod in zip(ZONES, volumes, gateway.cloud.pods,
                                 strict=True):
        assert volume['availability_zone'] == zone
        rows = routings(gateway, admin_session, top_id=volume['id'])
        assert [(r['resource_type'], r['status'], r['pod_name'])
                for r in rows] == [('volume', 'active', pod.region)]


def test_the_pod_sees_its_own_zone(gateway, admin, volumes):
    pod = gateway.cloud.pods[1]
    direct = admin.session.get(
        f'{pod.volume_url}/{admin.current_project_id}/volumes/'
        f'{volumes[1]["id"]}', headers={'OpenStack-API-Version':
                                        'volume 3.0'})
    assert direct.json()['volume']['availability_zone'] == pod.az


def test_show_update_and_metadata(demo, volumes):
    volume_id = volumes[0]['id']
    new_name = f'renamed-{uuid.uuid4().hex[:6]}'
    updated = demo.block_storage.put(f'/volumes/{volume_id}', json={
        'volume': {'name': new_name}})
    assert updated.status_code == 200
    assert updated.json()['volume']['name'] == new_name

    set_meta = demo.block_storage.post(f'/volumes/{volume_id}/metadata',
                                       json={'metadata': {'k': 'v'}})
    assert set_meta.status_code == 200
    assert demo.block_storage.get(
        f'/volumes/{volume_id}/metadata/k').json() == {'meta': {'k': 'v'}}
    assert demo.block_storage.delete(
        f'/volumes/{volume_id}/metadata/k').status_code == 200
    missing = demo.block_storage.get(f'/volumes/{volume_id}/metadata/k',
                                     raise_exc=False)
    assert missing.status_code == 404
    # a missing key is not a missing volume: the routing stays
    assert demo.block_storage.get(f'/volumes/{volume_id}').status_code == 200


def test_links_point_at_the_gateway(gateway, demo, volumes):
    volume = demo.block_storage.get(f'/volumes/{volumes[0]["id"]}').json()
    hrefs = [link['href'] for link in volume['volume']['links']]
    assert hrefs and all(h.startswith(gateway.url + '/volume/')
                         for h in hrefs)


def test_unknown_volume_is_cinders_404(demo):
    volume_id = str(uuid.uuid4())
    response = demo.block_storage.get(f'/volumes/{volume_id}',
                                      raise_exc=False)
    assert response.status_code == 404
    assert response.json() == {'itemNotFound': {
        'code': 404, 'message': f'Volume {volume_id} could not be found.'}}


def test_another_projects_volume_is_not_found(alt, volumes):
    response = alt.block_storage.get(f'/volumes/{volumes[0]["id"]}',
                                     raise_exc=False)
    assert response.status_code == 404


def test_unknown_zone_is_cinders_400(demo):
    response = demo.block_storage.post('/volumes', json={'volume': {
        'size': 1, 'availability_zone': 'nowhere'}}, raise_exc=False)
    assert response.status_code == 400
    assert response.json() == {'badRequest': {
        'code': 400, 'message': "Availability zone 'nowhere' is invalid."}}


def test_bad_body_is_cinders_400(demo):
    response = demo.block_storage.post('/volumes', json={'size': 1},
                                       raise_exc=False)
    assert response.status_code == 400
    assert 'badRequest' in response.json()
    snapshot = demo.block_storage.post('/volumes', json={'volume': {
        'snapshot_id': 'not-a-uuid'}}, raise_exc=False)
    assert snapshot.status_code == 400
    assert snapshot.json()['badRequest']['message'].startswith(
        'Invalid input for field/attribute snapshot_id.')


def test_pod_refusal_routes_nothing(gateway, demo, admin_session):
    before = routings(gateway, admin_session, resource_type='volume_request')
    response = demo.block_storage.post('/volumes', json={'volume': {
        'size': 1, 'availability_zone': 'az1', 'volume_type': 'no-such'}},
        raise_exc=False)
    assert response.status_code == 404
    assert 'itemNotFound' in response.json()
    assert routings(gateway, admin_session,
                    resource_type='volume_request') == before


def test_from_a_source_volume_goes_to_its_pod(gateway, demo,
                                              admin_session, volumes):
    clone = make_volume(demo, None, source_volid=volumes[1]['id'])
    try:
        assert clone['availability_zone'] == 'az2'
        rows = routings(gateway, admin_session, top_id=clone['id'])
        assert rows[0]['pod_name'] == gateway.cloud.pods[1].region
    finally:
        delete_volume(demo, clone['id'])


def test_source_in_another_zone_is_refused(demo, volumes):
    response = demo.block_storage.post('/volumes', json={'volume': {
        'source_volid': volumes[1]['id'], 'availability_zone': 'az1'}},
        raise_exc=False)
    assert response.status_code == 400
    assert response.json()['badRequest']['message'] == (
        'Invalid input received: Volume must be in the same availability '
        'zone as the source volume')


def test_unknown_source_is_cinders_404(demo):
    snapshot_id = str(uuid.uuid4())
    response = demo.block_storage.post('/volumes', json={'volume': {
        'snapshot_id': snapshot_id}}, raise_exc=False)
    assert response.status_code == 404
    assert response.json()['itemNotFound']['message'] == (
        f'Snapshot {snapshot_id} could not be found.')


def test_delete_removes_the_routing(gateway, demo, admin_session):
    volume = make_volume(demo, 'az1')
    response = demo.block_storage.delete(f'/volumes/{volume["id"]}')
    assert response.status_code == 202
    wait_gone(demo, f'/volumes/{volume["id"]}')
    assert routings(gateway, admin_session, top_id=volume['id']) == []


def test_project_scoped_and_project_less_urls(gateway, demo, volumes):
    project = demo.current_project_id
    base = f'{gateway.url}/volume/v3'
    scoped = demo.session.get(f'{base}/{project}/volumes/'
                              f'{volumes[0]["id"]}')
    assert scoped.status_code == 200
    other = demo.session.get(f'{base}/{uuid.uuid4().hex}/volumes',
                             raise_exc=False)
    assert other.status_code == 400
    assert other.json() == {'badRequest': {
        'code': 400, 'message': 'Malformed request url'}}
