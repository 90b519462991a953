"""Parameter types the action schemas share, with Nova's constraints."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import webob

from trio2o_core.plugin import NotFound
from trio2o_core.plugin import microversion

Schema = dict[str, Any]
#: ``(min_version, max_version, schema)`` rows, None bounds open
SchemaTable = tuple[tuple[str | None, str | None, Schema], ...]


def for_request(table: SchemaTable, request: webob.Request) -> Schema:
    """The schema of ``table`` for the request's microversion.

    :raises NotFound: no row holds it (Nova's 404 for a path outside the
        request's microversion).
    """
    schema = microversion.pick(table, request)
    if schema is None:
        raise NotFound('The resource could not be found.')
    return schema


def _printable(char: str) -> bool:
    category = unicodedata.category(char)
    return not category.startswith('C') and (
        not category.startswith('Z') or category == 'Zs')


def _printable_class() -> str:
    """Return the ranges of printable BMP characters, as a regex class
    body (the set Nova accepts in descriptions)."""
    ranges: list[str] = []
    start: int | None = None
    for code in range(0x10000):
        if code < 0xFFFF and _printable(chr(code)):
            if start is None:
                start = code
            continue
        if start is not None:
            end = code - 1
            ranges.append(re.escape(chr(start)) if end == start else
                          f'{re.escape(chr(start))}-{re.escape(chr(end))}')
            start = None
    return ''.join(ranges)


BOOLEAN: Schema = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
             'YES', 'Yes', 'yes',
             False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
             'NO', 'No', 'no'],
}
NAME: Schema = {'type': 'string', 'format': 'name', 'minLength': 1,
                'maxLength': 255}
NAME_OR_NONE: Schema = {'oneOf': [
    {'type': 'string', 'minLength': 1, 'maxLength': 255},
    {'type': 'null'},
]}
DESCRIPTION: Schema = {'type': ['string', 'null'],
                       'pattern': f'^[{_printable_class()}]*$',
                       'minLength': 0, 'maxLength': 255}
#: a host name as the services table holds it (underscores allowed)
FQDN: Schema = {'type': 'string', 'pattern': '^[a-zA-Z0-9-._]*$',
                'minLength': 1, 'maxLength': 255}
#: a host-name label (RFC 952 / 1123)
HOSTNAME: Schema = {'type': 'string',
                    'pattern': '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$',
                    'minLength': 2, 'maxLength': 63}
HOST_OR_NONE: Schema = {**FQDN, 'type': ['string', 'null']}
IMAGE_ID: Schema = {'type': 'string', 'format': 'uuid'}
ADMIN_PASSWORD: Schema = {'type': 'string'}
FLAVOR_REF: Schema = {'type': ['string', 'integer'], 'minLength': 1}
DISK_CONFIG: Schema = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}
METADATA: Schema = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}
IPV4: Schema = {'type': 'string', 'format': 'ipv4'}
IPV6: Schema = {'type': 'string', 'format': 'ipv6'}
IP_ADDRESS: Schema = {'type': 'string',
                      'oneOf': [{'format': 'ipv4'}, {'format': 'ipv6'}]}
NON_NEGATIVE_INTEGER: Schema = {'type': ['integer', 'string'],
                                'pattern': '^[0-9]*$', 'minimum': 0,
                                'minLength': 1}
PERSONALITY: Schema = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'path': {'type': 'string'},
            'contents': {'type': 'string', 'format': 'base64'},
        },
        'additionalProperties': False,
    },
}
USER_DATA: Schema = {'type': ['string', 'null'], 'format': 'base64',
                     'maxLength': 65535}
TRUSTED_CERTS: Schema = {
    'type': ['array', 'null'], 'minItems': 1, 'maxItems': 50,
    'uniqueItems': True, 'items': {'type': 'string', 'minLength': 1},
}
#: a value that must be JSON ``null``
NULL: Schema = {'type': 'null'}


def strict_object(properties: Schema, required: tuple[str, ...] = (),
                  nullable: bool = False) -> Schema:
    """Return an object schema with only ``properties`` allowed.

    ``nullable`` also accepts ``null`` in place of the object.
    """
    schema: Schema = {'type': ['object', 'null'] if nullable else 'object',
                      'properties': properties,
                      'additionalProperties': False}
    if required:
        schema['required'] = list(required)
    return schema
