"""The v3 attachments API (3.27+) through the gateway against real Cinder
pods: made in the volume's pod and routed, the lifecycle (reserve,
connect, complete, delete), merged lists, errors, a pod down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.cinder.conftest import routing_rows
from tests.functional.cinder.conftest import wait_status

VERSION = '3.44'
CONNECTOR = {'initiator': 'iqn.2004-01.org.example:gateway', 'ip': '127.0.0.1',
             'host': 'gateway-test', 'platform': 'x86_64', 'os_type': 'linux',
             'multipath': False}


def attach(conn: Any, volume_id: str, **fields: Any) -> Any:
    return conn.block_storage.post('/attachments', json={'attachment': {
        'volume_uuid': volume_id, **fields}}, microversion=VERSION,
        raise_exc=False)


@pytest.fixture(scope='module')
def reserved(demo: Any) -> Iterator[list[dict[str, Any]]]:
    """A volume in each pod, each with one reserved attachment."""
    made: list[dict[str, Any]] = []
    try:
        for zone in ('az1', 'az2'):
            volume = make_volume(demo, zone)
            made.append({'volume': volume})
            response = attach(demo, volume['id'],
                              instance_uuid=str(uuid.uuid4()))
            assert response.status_code == 200, response.text
            made[-1].update(response.json()['attachment'])
        yield made
    finally:
        for item in made:
            if 'id' in item:
                demo.block_storage.delete(f'/attachments/{item["id"]}',
                                          microversion=VERSION,
                                          raise_exc=False)
            delete_volume(demo, item['volume']['id'])


def test_attachment_is_routed_to_its_volumes_pod(gateway, demo,
                                                 admin_session, reserved):
    for item, pod in zip(reserved, gateway.cloud.pods, strict=True):
        assert item['status'] == 'reserved'
        assert item['volume_id'] == item['volume']['id']
        [row] = routing_rows(gateway, admin_session, top_id=item['id'])
        assert (row['resource_type'], row['pod_name']) == (
            'attachment', pod.region)
        shown = demo.block_storage.get(f'/attachments/{item["id"]}',
                                       microversion=VERSION).json()
        assert shown['attachment']['volume_id'] == item['volume']['id']


def test_lists_merge_both_pods(demo, alt, reserved):
    ids = {item['id'] for item in reserved}
    summary = demo.block_storage.get('/attachments',
                                     microversion=VERSION).json()
    assert {a['id'] for a in summary['attachments']} >= ids
    assert all(set(a) == {'id', 'status', 'instance', 'volume_id'}
               for a in summary['attachments'])
    detail = demo.block_storage.get('/attachments/detail',
                                    microversion=VERSION).json()
    listed = [a for a in detail['attachments'] if a['id'] in ids]
    assert len(listed) == 2 and all('attach_mode' in a for a in listed)
    paged = demo.block_storage.get('/attachments', params={'limit': 1},
                                   microversion=VERSION).json()
    assert len(paged['attachments']) == 1
    others = alt.block_storage.get('/attachments',
                                   microversion=VERSION).json()
    assert not ids & {a['id'] for a in others['attachments']}


def test_connect_complete_and_delete(gateway, demo, admin_session):
    volume = make_volume(demo, 'az2')
    try:
        made = attach(demo, volume['id'], instance_uuid=str(uuid.uuid4()))
        attachment_id = made.json()['attachment']['id']
        path = f'/attachments/{attachment_id}'
        updated = demo.block_storage.put(path, json={'attachment': {
            'connector': CONNECTOR}}, microversion=VERSION)
        assert updated.status_code == 200
        assert updated.json()['attachment']['connection_info']
        completed = demo.block_storage.post(f'{path}/action', json={
            'os-complete': None}, microversion=VERSION)
        assert completed.status_code == 204
        wait_status(demo, f'/volumes/{volume["id"]}', 'volume', 'in-use')
        deleted = demo.block_storage.delete(path, microversion=VERSION)
        assert deleted.status_code == 200
        assert routing_rows(gateway, admin_session,
                            top_id=attachment_id) == []
        wait_status(demo, f'/volumes/{volume["id"]}', 'volume')
        gone = demo.block_storage.get(path, microversion=VERSION,
                                      raise_exc=False)
        assert gone.json() == {'itemNotFound': {'code': 404, 'message': (
            'Volume attachment could not be found with filter: '
            f'attachment_id = {attachment_id}.')}}
    finally:
        delete_volume(demo, volume['id'])


def test_bad_input_and_unknown_ids(demo, reserved):
    missing = str(uuid.uuid4())
    unknown = attach(demo, missing)
    assert unknown.json() == {'itemNotFound': {
        'code': 404, 'message': f'Volume {missing} could not be found.'}}
    bad = demo.block_storage.post('/attachments', json={'attachment': {
        'instance_uuid': missing}}, microversion=VERSION, raise_exc=False)
    assert bad.status_code == 400
    assert "'volume_uuid' is a required property" in bad.json()[
        'badRequest']['message']
    refused = demo.block_storage.put(
        f'/attachments/{reserved[0]["id"]}', json={'attachment': {}},
        microversion=VERSION, raise_exc=False)
    assert refused.status_code == 400
    old = demo.block_storage.get('/attachments', microversion='3.26',
                                 raise_exc=False)
    assert old.json() == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}
    early = demo.block_storage.post(
        f'/attachments/{reserved[0]["id"]}/action',
        json={'os-complete': None}, microversion='3.43', raise_exc=False)
    assert early.status_code == 404


def test_down_pod_attachments_are_503_and_lists_partial(demo, reserved,
                                                        pod2_down):
    listed = demo.block_storage.get('/attachments', microversion=VERSION)
    assert listed.headers['X-Trio2o-Partial'] == 'Pod2'
    ids = {a['id'] for a in listed.json()['attachments']}
    assert reserved[0]['id'] in ids and reserved[1]['id'] not in ids
    shown = demo.block_storage.get(f'/attachments/{reserved[1]["id"]}',
                                   microversion=VERSION, raise_exc=False)
    assert shown.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
