"""Request validation with Nova's schemas and messages, per
microversion: server create and update bodies, list queries."""

from __future__ import annotations

import itertools

import pytest

from trio2o_plugins.nova.schemas import servers as schemas

IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'
NETWORK = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'


def server(**fields):
    return {'server': {'name': 'vm', 'flavorRef': '1', 'imageRef': IMAGE,
                       **fields}}


def create(client, body, version=None):
    return client.post('/v2.1/servers', body, version=version)


@pytest.mark.parametrize('body, message', [
    ({'server': {'flavorRef': '1'}},
     "Invalid input for field/attribute server. Value: {'flavorRef': '1'}. "
     "'name' is a required property"),
    (server(name=''),
     "Invalid input for field/attribute name. Value: . '' should be "
     'non-empty'),
    (server(name=12345),
     "Invalid input for field/attribute name. Value: 12345. 12345 is not "
     "of type 'string'"),
    (server(name='x' * 256),
     'Invalid input for field/attribute name. Value: ' + 'x' * 256
     + ". '" + 'x' * 256 + "' is too long"),
    (server(name=' vm'),
     "An invalid 'name' value was provided. The name must be: printable "
     'characters. Can not start or end with whitespace.'),
    (server(accessIPv4='1.1.1.1.1'),
     "Invalid input for field/attribute accessIPv4. Value: 1.1.1.1.1. "
     "'1.1.1.1.1' is not a 'ipv4'"),
    (server(imageRef='not-a-uuid'),
     'Invalid input for field/attribute imageRef. Value: not-a-uuid. '
     "'not-a-uuid' is not valid under any of the given schemas"),
    (server(min_count=0),
     'Invalid input for field/attribute min_count. Value: 0. 0 is less '
     'than the minimum of 1'),
    (server(bogus=1),
     "Invalid input for field/attribute server. Value: {'name': 'vm', "
     "'flavorRef': '1', 'imageRef': '" + IMAGE + "', 'bogus': 1}. "
     "Additional properties are not allowed ('bogus' was unexpected)"),
    (server(metadata={'a': 'b' * 256}),
     "Invalid input for field/attribute a. Value: " + 'b' * 256 + ". '"
     + 'b' * 256 + "' is too long"),
    (None, "None is not of type 'object'"),
])
def test_create_body_errors(gateway, client, body, message):
    reply = create(client, body)

    assert (reply.status, reply.message()) == (400, message)
    assert not gateway.routings
    assert not [call for nova in gateway.novas.values()
                for call in nova.calls if call.path]


def test_networks_required_from_2_37(client):
    reply = create(client, server(), version='2.37')

    assert reply.message() == (
        "Invalid input for field/attribute server. Value: {'name': 'vm', "
        f"'flavorRef': '1', 'imageRef': '{IMAGE}'}}. 'networks' is a "
        'required property')
    assert create(client, server(networks='auto'),
                  version='2.37').status == 202


def test_description_only_from_2_19(client):
    reply = create(client, server(description='d'), version='2.18')

    assert reply.message().endswith(
        "Additional properties are not allowed ('description' was "
        'unexpected)')
    assert create(client, server(description='d'),
                  version='2.19').status == 202


def test_tags_from_2_52_and_personality_gone_at_2_57(client):
    assert create(client, server(tags=['a'], networks='none'),
                  version='2.51').status == 400
    assert create(client, server(tags=['a'], networks='none'),
                  version='2.52').status == 202
    reply = create(client, server(networks='none', personality=[]),
                   version='2.57')
    assert "('personality' was unexpected)" in reply.message()


def test_hostname_is_a_label_at_2_90_and_a_name_at_2_94(client):
    body = server(networks='none', hostname='a.b')
    assert create(client, body, version='2.90').status == 400
    assert create(client, body, version='2.94').status == 202


def test_network_uuid_checked_from_2_37(client):
    body = server(networks=[{'uuid': 'net'}])
    assert create(client, body, version='2.36').status == 202
    reply = create(client, body, version='2.37')
    assert reply.status == 400
    body = server(networks=[{'uuid': NETWORK}])
    assert create(client, body, version='2.37').status == 202


def test_update_body_errors(gateway, client):
    record = gateway.add_server(1)
    path = f"/v2.1/servers/{record['id']}"

    reply = client.request('PUT', path, {'server': {'description': 'd'}})
    assert reply.status == 400
    assert "('description' was unexpected)" in reply.message()
    reply = client.request('PUT', path, {'server': {'description': 'd'}},
                           version='2.19')
    assert reply.status == 200
    reply = client.request('PUT', path, {'bogus': {}})
    assert reply.message() == "'server' is a required property"


@pytest.mark.parametrize('query, version, message', [
    ('limit=-1', None, "Invalid input for query parameters limit. Value: "
                       "-1. '-1' does not match '^[0-9]*$'"),
    ('limit=', None, "Invalid input for query parameters limit. Value: . "
                     "'' should be non-empty"),
    ('name=(', None, "Invalid input for query parameters name. Value: (. "
                     "'(' is not a 'regex'"),
    ('name=', None, "Invalid input for query parameters name. Value: . "
                    "'' is not a 'regex'"),
    ('changes-since=yesterday', None,
     "Invalid input for query parameters changes-since. Value: yesterday. "
     "'yesterday' is not a 'date-time'"),
    ('changes-before=x', '2.66',
     "Invalid input for query parameters changes-before. Value: x. 'x' is "
     "not a 'date-time'"),
    ('sort_key=bogus', None,
     "Invalid input for query parameters sort_key. Value: bogus. 'bogus' "
     'is not one of'),
    ('foo=1', '2.75', "'foo' does not match any of the regexes: '^_'"),
    ('sort_key=id', '2.75',
     "Invalid input for query parameters sort_key. Value: id. 'id' is not "
     'one of'),
    ('all_tenants=abc', None,
     "Unrecognized value 'abc', acceptable values are: '0', '1', 'f', "
     "'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"),
    ('sort_dir=up', None, "Invalid input received: Unknown sort direction, "
                          "must be 'desc' or 'asc'"),
    ('sort_key=display_name&sort_dir=asc&sort_dir=desc', None,
     'Invalid input received: Sort direction size exceeds sort key size'),
])
def test_list_query_errors(client, query, version, message):
    reply = client.get('/v2.1/servers/detail?' + query, version=version)

    assert reply.status == 400
    assert reply.message().startswith(message)


def test_unknown_query_parameters_are_dropped_before_2_75(gateway, client):
    gateway.add_server(1)

    reply = client.get('/v2.1/servers?foo=1&name=vm&limit=1')

    assert reply.status == 200
    params = dict(gateway.nova(1).calls[-1].params)
    assert 'foo' not in params and params['name'] == 'vm'
    assert 'foo=' not in reply.body['servers_links'][0]['href']


def test_non_admin_sorting_by_host_is_403(client):
    reply = client.get('/v2.1/servers?sort_key=host')

    assert reply.status == 403
    assert reply.message() == 'Only administrators can sort servers by host'


def test_all_tenants_needs_the_admin_rule(gateway, client):
    reply = client.get('/v2.1/servers/detail?all_tenants=1')

    assert reply.status == 403
    assert reply.message() == (
        "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants "
        'to be performed.')
    assert client.get('/v2.1/servers?all_tenants=0').status == 200


def test_schema_tables_cover_every_version_from_2_1():
    for table in (schemas.CREATE, schemas.UPDATE, schemas.INDEX_QUERY):
        assert table[0][0] == '2.1' and table[-1][1] is None
        for (_, high, _), (low, _, _) in itertools.pairwise(table):
            major, minor = high.split('.')
            assert low == f'{major}.{int(minor) + 1}'
