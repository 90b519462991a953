"""The bounded query and header parser of the plugin contract."""

import pytest

from trio2o_core import plugin
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import query
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import negotiate


def test_public_in_the_plugin_contract():
    for name in ('parse_bool', 'parse_int', 'parse_limit', 'parse_marker',
                 'parse_sort', 'shown_value'):
        assert name in plugin.__all__
        assert getattr(plugin, name) is getattr(query, name)


@pytest.mark.parametrize('text, number', [
    ('0', 0), ('7', 7), ('0010', 10), (str(query.MAX_INT), query.MAX_INT)])
def test_parse_int(text, number):
    assert query.parse_int('limit', text) == number


@pytest.mark.parametrize('text', [
    '', '-1', '+1', ' 1', '1 ', '1\n', '1.0', '1e3', '0x10', '²', '١٢',
    '１', '1_000', '9' * 20, '9' * 5000, str(query.MAX_INT + 1)])
def test_parse_int_refuses(text):
    with pytest.raises(BadRequest) as info:
        query.parse_int('limit', text)

    message = info.value.user_message
    assert message.startswith('Invalid input for query parameters limit. ')
    assert len(message) < 300


def test_parse_int_maximum():
    assert query.parse_int('offset', '5', maximum=5) == 5
    with pytest.raises(BadRequest, match='greater than the maximum of 5'):
        query.parse_int('offset', '6', maximum=5)


def test_parse_limit_caps_and_defaults():
    assert query.parse_limit({}, 1000) == 1000
    assert query.parse_limit({'limit': '3'}, 1000) == 3
    assert query.parse_limit({'limit': '5000'}, 1000) == 1000
    with pytest.raises(BadRequest):
        query.parse_limit({'limit': '²'}, 1000)


@pytest.mark.parametrize('marker', ['', 'a\x00b', '\n', 'x' * 256])
def test_parse_marker_refuses(marker):
    with pytest.raises(BadRequest, match=r'(?s)^marker \[.*\] not found$'):
        query.parse_marker({'marker': marker})


def test_parse_marker():
    assert query.parse_marker({}) is None
    assert query.parse_marker({'marker': 'abc-1'}) == 'abc-1'


def test_parse_sort_pads_with_the_first_direction():
    assert query.parse_sort(['a', 'b'], ['desc'], {'a', 'b'}) == [
        ('a', 'desc'), ('b', 'desc')]
    assert query.parse_sort(['a'], [], {'a'}) == [('a', 'asc')]


@pytest.mark.parametrize('keys, dirs, message', [
    (['x'], [], "Value: x. 'x' is not one of ['a', 'b']"),
    (['a'], ['up'], 'Unknown sort direction'),
    (['a'], ['asc', 'desc'], 'Sort direction size exceeds sort key size'),
])
def test_parse_sort_refuses(keys, dirs, message):
    with pytest.raises(BadRequest, match=message.replace('[', r'\[')
                       .replace(']', r'\]')):
        query.parse_sort(keys, dirs, ('a', 'b'))


@pytest.mark.parametrize('text', ['1', 'T', 'true', ' On ', 'y', 'YES'])
def test_parse_bool_true(text):
    assert query.parse_bool('enabled', text) is True


@pytest.mark.parametrize('text', ['0', 'f', 'False', 'off', 'N', 'no'])
def test_parse_bool_false(text):
    assert query.parse_bool('enabled', text) is False


@pytest.mark.parametrize('text', ['', 'maybe', '²', '2'])
def test_parse_bool_refuses(text):
    with pytest.raises(BadRequest, match='Unrecognized value'):
        query.parse_bool('enabled', text)


def test_shown_value_cuts_long_values():
    assert query.shown_value('abc') == 'abc'
    assert query.shown_value('9' * 5000) == '9' * 64 + '...'


@pytest.mark.parametrize('text', [
    '2.' + '1' * 5000, '1' * 5000 + '.1', '2.٣', '٢.1', '2.¹', '2.1\n',
    '2.1234567890'])
def test_microversion_bounded(text):
    with pytest.raises(BadRequest) as info:
        negotiate(text, APIVersion(2, 1), APIVersion(2, 90))

    assert 'is of invalid format' in info.value.user_message
    assert len(info.value.user_message) < 200


@pytest.mark.parametrize('text, enabled', [('yes', True), ('Off', False),
                                           ('t', True), ('0', False)])
def test_manage_reads_booleans_with_the_parser(text, enabled):
    from trio2o_core.cmd import manage

    args = manage._parser().parse_args(
        ['pod', 'create', '--name', 'P', '--az-name', 'az', '--enabled',
         text])
    assert args.enabled is enabled


@pytest.mark.parametrize('text', ['²', 'maybe', '9' * 5000])
def test_manage_refuses_other_booleans(text, capsys):
    from trio2o_core.cmd import manage

    with pytest.raises(SystemExit) as info:
        manage._parser().parse_args(
            ['pod', 'create', '--name', 'P', '--az-name', 'az',
             '--enabled', text])
    assert info.value.code == 2
    assert 'not a boolean' in capsys.readouterr().err
