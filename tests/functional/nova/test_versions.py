"""Version documents through the real gateway, as a Nova 34 pod writes
them, with hrefs at the gateway."""

from __future__ import annotations

import requests

from trio2o_core.testing.gateway import GatewayProcess


def test_version_documents_need_no_token(gateway: GatewayProcess) -> None:
    root = gateway.url + '/compute'

    versions = requests.get(root, timeout=30).json()['versions']
    current = requests.get(root + '/v2.1', timeout=30)

    assert [v['id'] for v in versions] == ['v2.0', 'v2.1']
    assert versions[1]['links'] == [{'rel': 'self',
                                     'href': root + '/v2.1/'}]
    document = current.json()['version']
    assert document['min_version'] == '2.1'
    assert document['version'] == versions[1]['version']
    assert document['links'][0] == {'rel': 'self', 'href': root + '/v2.1/'}
    assert current.headers['OpenStack-API-Version'] == 'compute 2.1'
    legacy = requests.get(versions[0]['links'][0]['href'], timeout=30)
    assert legacy.json()['version']['id'] == 'v2.0'


def test_maximum_is_the_pods_maximum(gateway: GatewayProcess, demo) -> None:
    pod = gateway.cloud.pods[0]
    direct = requests.get(pod.compute_url, timeout=30).json()['version']
    through = demo.compute.get('/', microversion='2.1').json()

    assert through['version']['version'] == direct['version']


def test_bad_versions_as_nova(demo) -> None:
    malformed = demo.compute.get('/flavors', raise_exc=False,
                                 headers={'OpenStack-API-Version':
                                          'compute 2.x'})
    too_high = demo.compute.get('/flavors', raise_exc=False,
                                microversion='2.999')

    assert malformed.status_code == 400
    assert 'OpenStack-API-Version' not in malformed.headers
    assert too_high.status_code == 406
    assert too_high.headers['OpenStack-API-Version'] == 'compute 2.999'


def test_request_id_in_nova_header_too(demo) -> None:
    relayed = demo.compute.get('/flavors')
    missing = demo.compute.get('/servers/nothing', raise_exc=False)
    merged = demo.compute.get('/servers')
    volumes = demo.block_storage.get('/types')

    ids = set()
    for response in (relayed, missing, merged):
        ids.add(response.headers['x-openstack-request-id'])
        assert response.headers['x-openstack-request-id'].startswith('req-')
        assert (response.headers['x-compute-request-id']
                == response.headers['x-openstack-request-id'])
    assert len(ids) == 3
    assert missing.status_code == 404
    assert 'x-compute-request-id' not in volumes.headers
    assert volumes.headers['x-openstack-request-id'].startswith('req-')


def test_relayed_request_id_finds_the_instance_action(demo, pair) -> None:
    server = pair[1]
    answer = demo.compute.post(f'/servers/{server.id}/action',
                               json={'lock': None})
    try:
        request_id = answer.headers['x-compute-request-id']
        action = demo.compute.get(
            f'/servers/{server.id}/os-instance-actions/{request_id}',
            microversion='2.21').json()['instanceAction']
    finally:
        demo.compute.post(f'/servers/{server.id}/action',
                          json={'unlock': None})

    assert (action['action'], action['request_id']) == ('lock', request_id)
