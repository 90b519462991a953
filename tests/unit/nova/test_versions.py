"""Version documents and microversion negotiation, as Nova 34 does them."""

from __future__ import annotations

import pytest

from tests.unit.nova import fakes
from trio2o_plugins.nova.service import NovaService

ROOT = fakes.GATEWAY + '/compute'


def test_version_list_is_nova_s_with_hrefs_at_the_gateway(client):
    reply = client.get('/')

    assert reply.status == 200
    assert reply.body == {'versions': [
        {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
         'min_version': '', 'updated': '2025-07-04T12:00:00Z',
         'links': [{'rel': 'self', 'href': ROOT + '/v2/'}]},
        {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.104',
         'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
         'links': [{'rel': 'self', 'href': ROOT + '/v2.1/'}]},
    ]}
    assert 'OpenStack-API-Version' not in reply.headers


def test_v21_document(client):
    reply = client.get('/v2.1/')

    assert reply.body == {'version': {
        'id': 'v2.1', 'status': 'CURRENT', 'version': '2.104',
        'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
        'links': [{'rel': 'self', 'href': ROOT + '/v2.1/'},
                  {'rel': 'describedby', 'type': 'text/html',
                   'href': 'http://docs.openstack.org/'}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}],
    }}
    assert reply.headers['OpenStack-API-Version'] == 'compute 2.1'


def test_legacy_v2_document_answers_its_self_link(client):
    reply = client.get('/v2')

    assert reply.body['version']['id'] == 'v2.0'
    assert reply.body['version']['links'][0] == {
        'rel': 'self', 'href': ROOT + '/v2/'}
    assert reply.body['version']['media-types'][0]['type'] == (
        'application/vnd.openstack.compute+json;version=2')
    assert 'OpenStack-API-Version' not in reply.headers


def test_public_url_is_used_in_hrefs(client):
    reply = client.get('/', public_url='https://cloud.example')

    assert reply.body['versions'][1]['links'][0]['href'] == (
        'https://cloud.example/compute/v2.1/')


def test_maximum_is_the_lowest_pod_maximum(gateway, client):
    gateway.nova(2).max_version = '2.90'

    assert client.get('/v2.1').body['version']['version'] == '2.90'
    reply = client.get('/v2.1/flavors', version='2.91')
    assert reply.status == 406


def test_maximum_is_capped_by_configuration(gateway, client):
    gateway.conf.nova.max_microversion = '2.79'

    assert client.get('/').body['versions'][1]['version'] == '2.79'


def test_latest_runs_at_the_maximum_and_is_forwarded(gateway, client):
    reply = client.get('/v2.1/flavors', version='latest')

    assert reply.headers['OpenStack-API-Version'] == 'compute 2.104'
    assert gateway.nova(1).calls[-1].microversion == '2.104'


def test_default_is_2_1_with_both_headers_and_two_vary(client):
    reply = client.get('/v2.1/flavors')

    assert reply.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert reply.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    assert reply.headers.getall('Vary') == [
        'OpenStack-API-Version', 'X-OpenStack-Nova-API-Version']


def test_legacy_header_is_read(gateway, client):
    reply = client.get('/v2.1/flavors',
                       headers={'X-OpenStack-Nova-API-Version': '2.60'})

    assert reply.headers['OpenStack-API-Version'] == 'compute 2.60'
    assert gateway.nova(1).calls[-1].microversion == '2.60'


@pytest.mark.parametrize('text', ['2', '2.x', '2.01', 'Latest'])
def test_malformed_version_is_400_without_version_headers(client, text):
    reply = client.get('/v2.1/flavors', version=text)

    assert reply.status == 400
    assert reply.message() == (
        f'API Version String {text} is of invalid format. Must be of '
        'format MajorNum.MinorNum.')
    assert 'OpenStack-API-Version' not in reply.headers
    assert 'Vary' not in reply.headers


@pytest.mark.parametrize('text', ['2.0', '1.0', '2.105', '3.0'])
def test_version_out_of_range_is_406_echoing_it(client, text):
    reply = client.get('/v2.1/servers', version=text)

    assert reply.status == 406
    assert reply.body == {'computeFault': {'code': 406, 'message': (
        f'Version {text} is not supported by the API. Minimum is 2.1 and '
        'maximum is 2.104.')}}
    assert reply.headers['OpenStack-API-Version'] == f'compute {text}'


def test_a_down_pod_is_not_read(gateway, client):
    gateway.nova(3).max_version = '2.50'
    gateway.nova(3).refusing = True
    assert client.get('/v2.1').body['version']['version'] == '2.104'
    assert gateway.is_down(gateway.nova(3).pod)

    fresh = fakes.Client(NovaService(gateway))
    assert fresh.get('/v2.1').body['version']['version'] == '2.104'
    assert not gateway.nova(3).calls[1:]
