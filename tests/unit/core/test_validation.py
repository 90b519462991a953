"""JSON-schema validation with Nova's wording."""

import pytest

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin.validation import validate
from trio2o_core.plugin.validation import validate_query

REBOOT = {
    'type': 'object',
    'properties': {'reboot': {
        'type': 'object',
        'properties': {'type': {'enum': ['HARD', 'SOFT']}},
        'required': ['type'], 'additionalProperties': False}},
    'required': ['reboot'], 'additionalProperties': False,
}

SERVER = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'format': 'name', 'minLength': 1},
        'imageRef': {'type': 'string', 'format': 'uuid'},
        'networks': {'type': 'array', 'items': {
            'type': 'object', 'properties': {'port': {'format': 'uuid'}}}},
        'tags': {'type': 'array', 'items': {'type': 'string',
                                            'maxLength': 3}},
        'min_count': {'type': 'integer', 'minimum': 1},
    },
    'additionalProperties': False,
}


def message(schema, instance) -> str:
    with pytest.raises(BadRequest) as info:
        validate(schema, instance)
    return info.value.user_message


def test_valid_body_passes():
    validate(REBOOT, {'reboot': {'type': 'HARD'}})
    validate(SERVER, {'name': 'vm 1', 'imageRef':
                      '70a599e0-31e7-49b7-b260-868f441e862b',
                      'networks': [{'port':
                                    '70a599e0-31e7-49b7-b260-868f441e862b'}],
                      'tags': ['a'], 'min_count': 2})


def test_enum_names_the_field_and_value():
    assert message(REBOOT, {'reboot': {'type': 'SOFTX'}}) == (
        "Invalid input for field/attribute type. Value: SOFTX. 'SOFTX' is "
        "not one of ['HARD', 'SOFT']")


def test_extra_key_names_the_object():
    assert message(REBOOT, {'reboot': {'type': 'SOFT', 'x': 1}}) == (
        "Invalid input for field/attribute reboot. Value: {'type': 'SOFT', "
        "'x': 1}. Additional properties are not allowed ('x' was "
        'unexpected)')


def test_error_at_the_root_is_the_bare_message():
    assert message(REBOOT, {}) == "'reboot' is a required property"


def test_value_is_printed_as_python():
    assert message(REBOOT, {'reboot': None}) == (
        'Invalid input for field/attribute reboot. Value: None. None is not '
        "of type 'object'")


def test_array_item_names_the_array():
    assert message(SERVER, {'tags': ['ok', 'long']}) == (
        "Invalid input for field/attribute tags. Value: long. 'long' is too "
        'long')


def test_uuid_format():
    assert message(SERVER, {'imageRef': 'not-a-uuid'}) == (
        'Invalid input for field/attribute imageRef. Value: not-a-uuid. '
        "'not-a-uuid' is not a 'uuid'")


def test_nested_uuid_format_in_an_array():
    assert message(SERVER, {'networks': [{'port': 'x'}]}).startswith(
        'Invalid input for field/attribute port. Value: x.')


def test_minimum():
    assert message(SERVER, {'min_count': 0}) == (
        'Invalid input for field/attribute min_count. Value: 0. 0 is less '
        'than the minimum of 1')


@pytest.mark.parametrize('name', [' lead', 'trail ', 'tab\there', '\x00'])
def test_name_format(name):
    assert message(SERVER, {'name': name}) == (
        "An invalid 'name' value was provided. The name must be: printable "
        'characters. Can not start or end with whitespace.')


QUERY = {
    'type': 'object',
    'properties': {'limit': {'type': 'string', 'pattern': '^[0-9]+$'}},
    'additionalProperties': False,
}


def test_query_error_names_the_parameter():
    with pytest.raises(BadRequest) as info:
        validate_query(QUERY, {'limit': '-1'})

    assert info.value.user_message == (
        "Invalid input for query parameters limit. Value: -1. '-1' does not "
        "match '^[0-9]+$'")


def test_unknown_query_parameter_is_the_bare_message():
    with pytest.raises(BadRequest) as info:
        validate_query(QUERY, {'bogus': '1'})

    assert info.value.user_message == (
        "Additional properties are not allowed ('bogus' was unexpected)")


def test_valid_query_passes():
    validate_query(QUERY, {'limit': '10'})


FILTERS = {
    'type': 'object',
    'properties': {
        'name': {'type': 'array', 'items': {'type': 'string',
                                            'format': 'regex'}},
        'changes-since': {'type': 'array', 'items': {
            'type': 'string', 'format': 'date-time'}},
    },
}


@pytest.mark.parametrize('params, message', [
    ({'name': ['(']}, "Invalid input for query parameters name. Value: (. "
                      "'(' is not a 'regex'"),
    ({'name': ['']}, "Invalid input for query parameters name. Value: . "
                     "'' is not a 'regex'"),
    ({'changes-since': ['yesterday']},
     'Invalid input for query parameters changes-since. Value: yesterday. '
     "'yesterday' is not a 'date-time'"),
])
def test_query_formats_are_nova_s(params, message):
    with pytest.raises(BadRequest) as info:
        validate_query(FILTERS, params)

    assert info.value.user_message == message


def test_query_regex_and_iso_date_time_pass():
    validate_query(FILTERS, {'name': ['^vm-[0-9]+$'],
                             'changes-since': ['2024-05-01T10:00:00Z',
                                               '2024-05-01']})
