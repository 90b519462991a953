"""Each action's body schema, per microversion, with Nova's messages."""

from __future__ import annotations

import pytest

from trio2o_core.plugin import BadRequest
from trio2o_core.testing.fake_pods import pod_response

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post

IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'
B64 = 'ZWNobyBoaQ=='

# bodies each version accepts
VALID = [
    ('2.1', {'reboot': {'type': 'Soft'}}),
    ('2.72', {'lock': {'locked_reason': ''}}),
    ('2.73', {'lock': None}),
    ('2.73', {'lock': {'locked_reason': 'x' * 255}}),
    ('2.73', {'unlock': {'anything': 1}}),
    ('2.17', {'trigger_crash_dump': None}),
    ('2.55', {'migrate': {'host': '!!', 'more': 1}}),
    ('2.56', {'migrate': {'host': None}}),
    ('2.56', {'migrate': {'host': 'compute_2.example'}}),
    ('2.24', {'os-migrateLive': {'block_migration': 'yes',
                                 'disk_over_commit': False, 'host': None}}),
    ('2.25', {'os-migrateLive': {'block_migration': 'auto', 'host': 'h'}}),
    ('2.30', {'os-migrateLive': {'block_migration': True, 'host': 'h',
                                 'force': 'off'}}),
    ('2.76', {'unshelve': {'availability_zone': ''}}),
    ('2.77', {'unshelve': None}),
    ('2.91', {'unshelve': {'host': 'compute2'}}),
    ('2.91', {'unshelve': {'availability_zone': None}}),
    ('2.1', {'resize': {'flavorRef': 2, 'OS-DCF:diskConfig': 'AUTO'}}),
    ('2.1', {'createImage': {'name': 'snap', 'metadata': {'k': 'v'}}}),
    ('2.1', {'createBackup': {'name': 'b', 'backup_type': 'daily',
                              'rotation': '3'}}),
    ('2.1', {'os-getConsoleOutput': {}}),
    ('2.1', {'os-getConsoleOutput': {'length': None}}),
    ('2.1', {'os-getConsoleOutput': {'length': -1}}),
    ('2.1', {'changePassword': {'adminPass': ''}}),
    ('2.1', {'rescue': {'adminPass': 'pw', 'rescue_image_ref': IMAGE}}),
    ('2.1', {'os-resetState': {'state': 'active'}}),
    ('2.13', {'evacuate': {'onSharedStorage': 'yes', 'host': 'h-1'}}),
    ('2.14', {'evacuate': {'adminPass': 'pw'}}),
    ('2.29', {'evacuate': {'force': True}}),
    ('2.95', {'evacuate': {'host': 'h'}}),
    ('2.1', {'addSecurityGroup': {'name': ' '}}),
    ('2.43', {'addFixedIp': {'networkId': 'net'}}),
    ('2.43', {'removeFixedIp': {'address': 'fe80::1'}}),
    ('2.43', {'addFloatingIp': {'address': '172.24.4.5',
                                'fixed_address': '10.0.0.3'}}),
    ('2.5', {'os-getSPICEConsole': {'type': 'spice-html5'}}),
]

# bodies each version refuses, with Nova's message
INVALID = [
    ('2.73', {'lock': {'locked_reason': ''}},
     "Invalid input for field/attribute locked_reason. Value: . '' should "
     'be non-empty'),
    ('2.73', {'lock': {'reason': 'x'}},
     "Invalid input for field/attribute lock. Value: {'reason': 'x'}. "
     "Additional properties are not allowed ('reason' was unexpected)"),
    ('2.73', {'lock': 'now'},
     "Invalid input for field/attribute lock. Value: now. 'now' is not of "
     "type 'object', 'null'"),
    ('2.17', {'trigger_crash_dump': {}},
     'Invalid input for field/attribute trigger_crash_dump. Value: {}. {} '
     "is not of type 'null'"),
    ('2.1', {'reboot': {}},
     "Invalid input for field/attribute reboot. Value: {}. 'type' is a "
     'required property'),
    ('2.1', {'reboot': None},
     "Invalid input for field/attribute reboot. Value: None. None is not "
     "of type 'object'"),
    ('2.56', {'migrate': {'host': 'a b'}},
     "Invalid input for field/attribute host. Value: a b. 'a b' does not "
     "match '^[a-zA-Z0-9-._]*$'"),
    ('2.56', {'migrate': {'hostname': 'h'}},
     "Invalid input for field/attribute migrate. Value: {'hostname': 'h'}. "
     "Additional properties are not allowed ('hostname' was unexpected)"),
    ('2.24', {'os-migrateLive': {'block_migration': True, 'host': None}},
     "'disk_over_commit' is a required property"),
    ('2.25', {'os-migrateLive': {'block_migration': True,
                                 'disk_over_commit': False, 'host': None}},
     "('disk_over_commit' was unexpected)"),
    ('2.29', {'os-migrateLive': {'block_migration': True, 'host': None,
                                 'force': True}},
     "('force' was unexpected)"),
    ('2.68', {'os-migrateLive': {'block_migration': True, 'host': None,
                                 'force': True}},
     "('force' was unexpected)"),
    ('2.77', {'unshelve': {}},
     "Invalid input for field/attribute unshelve. Value: {}. "
     "'availability_zone' is a required property"),
    ('2.77', {'unshelve': {'availability_zone': ' az1'}},
     "An invalid 'name' value was provided. The name must be: printable "
     'characters. Can not start or end with whitespace.'),
    ('2.90', {'unshelve': {'host': 'h', 'availability_zone': 'az1'}},
     "('host' was unexpected)"),
    ('2.91', {'unshelve': {'host': None}},
     "Invalid input for field/attribute host. Value: None. None is not of "
     "type 'string'"),
    ('2.1', {'resize': {'flavorRef': ''}},
     "Invalid input for field/attribute flavorRef. Value: . '' should be "
     'non-empty'),
    ('2.1', {'resize': {}},
     "Invalid input for field/attribute resize. Value: {}. 'flavorRef' is "
     'a required property'),
    ('2.1', {'resize': {'flavorRef': 1, 'OS-DCF:diskConfig': 'auto'}},
     "Invalid input for field/attribute OS-DCF:diskConfig. Value: auto. "
     "'auto' is not one of ['AUTO', 'MANUAL']"),
    ('2.1', {'rebuild': {'imageRef': 'abc'}},
     "Invalid input for field/attribute imageRef. Value: abc. 'abc' is not "
     "a 'uuid'"),
    ('2.18', {'rebuild': {'imageRef': IMAGE, 'description': 'd'}},
     "('description' was unexpected)"),
    ('2.19', {'rebuild': {'imageRef': IMAGE, 'description': 'a\x01'}},
     'Invalid input for field/attribute description. Value: a\x01.'),
    ('2.53', {'rebuild': {'imageRef': IMAGE, 'key_name': 'k'}},
     "('key_name' was unexpected)"),
    ('2.56', {'rebuild': {'imageRef': IMAGE, 'user_data': B64}},
     "('user_data' was unexpected)"),
    ('2.57', {'rebuild': {'imageRef': IMAGE, 'personality': []}},
     "('personality' was unexpected)"),
    ('2.62', {'rebuild': {'imageRef': IMAGE,
                          'trusted_image_certificates': ['c']}},
     "('trusted_image_certificates' was unexpected)"),
    ('2.89', {'rebuild': {'imageRef': IMAGE, 'hostname': 'web'}},
     "('hostname' was unexpected)"),
    ('2.90', {'rebuild': {'imageRef': IMAGE, 'hostname': 'web.example'}},
     "Invalid input for field/attribute hostname. Value: web.example. "
     "'web.example' does not match "
     "'^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'"),
    ('2.94', {'rebuild': {'imageRef': IMAGE, 'hostname': 'web example'}},
     "'web example' does not match '^[a-zA-Z0-9-._]*$'"),
    ('2.1', {'createImage': {}},
     "Invalid input for field/attribute createImage. Value: {}. 'name' is "
     'a required property'),
    ('2.1', {'createImage': {'name': 'snap '}},
     "An invalid 'name' value was provided. The name must be: printable "
     'characters. Can not start or end with whitespace.'),
    ('2.1', {'createImage': {'name': 's', 'metadata': {'k': 1}}},
     "Invalid input for field/attribute k. Value: 1. 1 is not of type "
     "'string'"),
    ('2.1', {'createBackup': {'name': 'b', 'backup_type': 'daily',
                              'rotation': '-1'}},
     "Invalid input for field/attribute rotation. Value: -1. '-1' does not "
     "match '^[0-9]*$'"),
    ('2.1', {'createBackup': {'name': 'b', 'backup_type': 'daily'}},
     "'rotation' is a required property"),
    ('2.1', {'os-getConsoleOutput': {'length': -2}},
     'Invalid input for field/attribute length. Value: -2. -2 is less than '
     'the minimum of -1'),
    ('2.1', {'os-getConsoleOutput': {'length': 'ten'}},
     "Invalid input for field/attribute length. Value: ten. 'ten' does not "
     "match '^-?[0-9]+$'"),
    ('2.1', {'changePassword': {}},
     "'adminPass' is a required property"),
    ('2.1', {'changePassword': {'adminPass': 5}},
     "Invalid input for field/attribute adminPass. Value: 5. 5 is not of "
     "type 'string'"),
    ('2.1', {'rescue': {'rescue_image_ref': 'cirros'}},
     "Invalid input for field/attribute rescue_image_ref. Value: cirros. "
     "'cirros' is not a 'uuid'"),
    ('2.1', {'os-resetState': {'state': 'stopped'}},
     "Invalid input for field/attribute state. Value: stopped. 'stopped' "
     "is not one of ['active', 'error']"),
    ('2.13', {'evacuate': {'host': 'h'}},
     "'onSharedStorage' is a required property"),
    ('2.14', {'evacuate': {'onSharedStorage': True}},
     "('onSharedStorage' was unexpected)"),
    ('2.28', {'evacuate': {'force': True}}, "('force' was unexpected)"),
    ('2.68', {'evacuate': {'force': True}}, "('force' was unexpected)"),
    ('2.29', {'evacuate': {'force': 'maybe'}},
     "Invalid input for field/attribute force. Value: maybe. 'maybe' is "
     'not one of'),
    ('2.1', {'addSecurityGroup': {'name': ''}},
     "Invalid input for field/attribute name. Value: . '' should be "
     'non-empty'),
    ('2.1', {'removeSecurityGroup': {}},
     "'name' is a required property"),
    ('2.43', {'addFixedIp': {'networkId': 'n' * 37}},
     'is too long'),
    ('2.43', {'removeFixedIp': {'address': 'nowhere'}},
     'Invalid input for field/attribute address. Value: nowhere.'),
    ('2.43', {'addFloatingIp': {}},
     "'address' is a required property"),
    ('2.5', {'os-getVNCConsole': {'type': 'spice-html5'}},
     "Invalid input for field/attribute type. Value: spice-html5. "
     "'spice-html5' is not one of ['novnc', 'xvpvnc']"),
    ('2.1', {'os-getSerialConsole': {}}, "'type' is a required property"),
]


def _ids(cases: list) -> list[str]:
    return [f'{next(iter(case[1]))}@{case[0]}-{n}'
            for n, case in enumerate(cases)]


@pytest.mark.parametrize('version, body', VALID, ids=_ids(VALID))
def test_valid_bodies_reach_the_pod(post: Post, cloud: FakeCloud,
                                    version: str, body: dict) -> None:
    cloud.script(POD1, 'POST', f'/servers/{SERVER}/action',
                 pod_response(202))
    for path in ('/flavors/2', f'/images/{IMAGE}'):
        cloud.script(POD1, 'GET', path, pod_response(200, {}))
    assert post(body, version=version).status_code == 202
    assert cloud.calls_to('POST')[0].json == body


@pytest.mark.parametrize('version, body, message', INVALID,
                         ids=_ids(INVALID))
def test_invalid_bodies_are_400_before_the_pod(
        post: Post, cloud: FakeCloud, version: str, body: dict,
        message: str) -> None:
    with pytest.raises(BadRequest) as exc:
        post(body, version=version)
    assert exc.value.code == 400
    assert message in exc.value.user_message
    if message.startswith(('Invalid input', 'An invalid')):
        assert exc.value.user_message.startswith(message)
    assert cloud.calls == []


def test_auto_block_migration_needs_2_25(post: Post,
                                         cloud: FakeCloud) -> None:
    with pytest.raises(BadRequest) as exc:
        post({'os-migrateLive': {'block_migration': 'auto', 'host': None,
                                 'disk_over_commit': False}},
             version='2.24')
    assert exc.value.user_message.startswith(
        'Invalid input for field/attribute block_migration. Value: auto. '
        "'auto' is not one of [True, 'True'")
    assert cloud.calls == []
