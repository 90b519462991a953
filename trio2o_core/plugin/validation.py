"""JSON-schema validation with Nova's error wording."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema import validators

from trio2o_core.plugin import exceptions

#: jsonschema's formats and Nova's: uuid, name, regex (non-empty and
#: compiling) and date-time (ISO 8601)
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks('uuid', raises=ValueError)
def _is_uuid(value: object) -> bool:
    import uuid

    if not isinstance(value, str):
        return True
    uuid.UUID(value)
    return True


@_FORMATS.checks('name')
def _is_name(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return value == value.strip() and value.isprintable()


@_FORMATS.checks('regex')
def _is_regex(value: object) -> bool:
    import re

    if not isinstance(value, str):
        return True
    if not value:
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


@_FORMATS.checks('date-time')
def _is_date_time(value: object) -> bool:
    import datetime

    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def validate(schema: Mapping[str, Any], instance: Any) -> None:
    """Validate a request body against ``schema``.

    Like Nova, the first error jsonschema finds is reported.

    :raises BadRequest: with Nova's message, ``Invalid input for
        field/attribute <name>. Value: <value>. <reason>``.
    """
    cls = validators.validator_for(schema)
    validator = cls(schema, format_checker=_FORMATS)
    error = next(iter(validator.iter_errors(instance)), None)
    if error is None:
        return
    if error.validator == 'format' and error.validator_value == 'name':
        raise exceptions.BadRequest(
            "An invalid 'name' value was provided. The name must be: "
            'printable characters. Can not start or end with whitespace.')
    if error.path:
        field = error.path[-1]
        if isinstance(field, int):
            field = list(error.path)[-2] if len(error.path) > 1 else field
        raise exceptions.BadRequest(
            f'Invalid input for field/attribute {field}. Value: '
            f'{error.instance}. {error.message}')
    raise exceptions.BadRequest(error.message)


def validate_query(schema: Mapping[str, Any],
                   params: Mapping[str, Any]) -> None:
    """Validate query parameters against ``schema`` (Nova's formats: a
    ``regex`` non-empty and compiling, a ``date-time`` ISO 8601); like
    Nova, the first error jsonschema finds is reported.

    :raises BadRequest: ``Invalid input for query parameters <name>.
        Value: <value>. <reason>``.
    """
    cls = validators.validator_for(schema)
    validator = cls(schema, format_checker=_FORMATS)
    error = next(iter(validator.iter_errors(params)), None)
    if error is None:
        return
    if error.path:
        raise exceptions.BadRequest(
            f'Invalid input for query parameters {error.path[0]}. Value: '
            f'{error.instance}. {error.message}')
    raise exceptions.BadRequest(error.message)
