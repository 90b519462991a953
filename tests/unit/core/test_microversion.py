"""Microversion parsing and negotiation (Nova's rules)."""

import pytest
import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin.exceptions import NotAcceptable
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import negotiate
from trio2o_core.plugin.microversion import requested_version

V = APIVersion.parse
LEGACY = 'X-OpenStack-Nova-API-Version'


@pytest.mark.parametrize('text, major, minor', [
    ('2.1', 2, 1), ('2.0', 2, 0), ('2.104', 2, 104), ('10.20', 10, 20)])
def test_parse(text, major, minor):
    version = V(text)

    assert (version.major, version.minor) == (major, minor)
    assert str(version) == text


@pytest.mark.parametrize('text', [
    '2', '2.x', '2.01', '02.1', '0.1', 'Latest', 'latest', '2.1.1', ' 2.1',
    '', 'v2.1'])
def test_parse_refuses_malformed(text):
    with pytest.raises(BadRequest) as info:
        V(text)

    assert info.value.user_message == (
        f'API Version String {text} is of invalid format. Must be of format '
        'MajorNum.MinorNum.')


def test_ordering_is_numeric():
    assert V('2.10') > V('2.9')
    assert V('3.0') > V('2.104')
    assert V('2.1') == V('2.1')
    assert V('2.1') != V('2.10')
    assert len({V('2.1'), V('2.1'), V('2.2')}) == 2
    assert sorted([V('2.10'), V('2.2'), V('2.1')]) == [
        V('2.1'), V('2.2'), V('2.10')]


@pytest.mark.parametrize('low, high, expected', [
    ('2.1', '2.10', True), ('2.5', None, True), (None, '2.5', True),
    (None, None, True), ('2.6', None, False), (None, '2.4', False),
    (V('2.5'), V('2.5'), True),
])
def test_matches(low, high, expected):
    assert V('2.5').matches(low, high) is expected


@pytest.mark.parametrize('headers, expected', [
    ({}, None),
    ({'OpenStack-API-Version': 'compute 2.60'}, '2.60'),
    ({'OpenStack-API-Version': 'COMPUTE 2.60'}, '2.60'),
    ({'OpenStack-API-Version': 'compute latest'}, 'latest'),
    ({'OpenStack-API-Version': 'compute 2.3, volume 3.1, compute 2.7'},
     '2.7'),
    ({'OpenStack-API-Version': 'volume 3.1'}, None),
    ({'OpenStack-API-Version': 'volume 3.1', LEGACY: '2.9'}, '2.9'),
    ({LEGACY: '2.3, 2.11'}, '2.11'),
    ({'OpenStack-API-Version': 'compute 2.5', LEGACY: '2.9'}, '2.5'),
    ({'OpenStack-API-Version': 'compute'}, None),
])
def test_requested_version(headers, expected):
    assert requested_version(headers, 'compute', LEGACY) == expected


def test_requested_version_reads_request_headers_case_insensitively():
    request = webob.Request.blank('/', headers={
        'openstack-api-version': 'volume 3.44'})

    assert requested_version(request.headers, 'volume') == '3.44'


def test_legacy_header_is_ignored_unless_named():
    assert requested_version({LEGACY: '2.9'}, 'compute') is None


MIN, MAX = V('2.1'), V('2.90')


@pytest.mark.parametrize('requested, default, expected', [
    (None, None, '2.1'), (None, V('2.5'), '2.5'), ('latest', None, '2.90'),
    ('2.1', None, '2.1'), ('2.90', None, '2.90'), ('2.37', None, '2.37'),
])
def test_negotiate(requested, default, expected):
    assert negotiate(requested, MIN, MAX, default) == V(expected)


@pytest.mark.parametrize('requested', ['2.0', '2.91', '3.0', '1.1'])
def test_negotiate_outside_the_range_is_406(requested):
    with pytest.raises(NotAcceptable) as info:
        negotiate(requested, MIN, MAX)

    assert info.value.code == 406
    assert info.value.user_message == (
        f'Version {requested} is not supported by the API. Minimum is 2.1 '
        'and maximum is 2.90.')


@pytest.mark.parametrize('requested', ['Latest', '2', '2.01', 'compute'])
def test_negotiate_malformed_is_400(requested):
    with pytest.raises(BadRequest):
        negotiate(requested, MIN, MAX)
