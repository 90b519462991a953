"""A request body is read as JSON exactly when it is UTF-8 JSON, nests
no deeper than the bound, and holds no lone surrogate."""

import json

import pytest
import webob
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core.plugin import exceptions
from trio2o_core.plugin.request import MAX_JSON_DEPTH
from trio2o_core.plugin.request import Request


def depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def refuse(name: str) -> object:
    raise ValueError(name)


def expected(raw: bytes) -> object:
    """The body as the rule reads it, None, or ``BadRequest``."""
    if not raw:
        return None
    try:
        body = json.loads(raw.decode('utf-8'), parse_constant=refuse)
        if depth(body) > MAX_JSON_DEPTH:
            raise ValueError('too deep')
        json.dumps(body, ensure_ascii=False).encode('utf-8')
    except (UnicodeError, ValueError, RecursionError):
        return exceptions.BadRequest
    return body


def read(raw: bytes) -> object:
    request = Request(webob.Request.blank(
        '/', method='POST', body=raw,
        content_type='application/json').environ)
    try:
        return request.json_body_or_none()
    except exceptions.BadRequest:
        return exceptions.BadRequest


NESTED = st.builds(
    lambda outer, leaf: '[' * outer + leaf + ']' * outer,
    st.integers(0, MAX_JSON_DEPTH + 2),
    st.sampled_from(['1', '"\\ud800"', '"\\ud83d\\ude00"', '"\\\\ud800"',
                     '"[[["', '{"a": []}', '"é"', '"\\u00e9"']))


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(NESTED, st.lists(st.sampled_from(
    ['[', ']', '{', '}', '"', '\\', 'u', 'd800', ':', ',', ' ', '1',
     'NaN']), max_size=40).map(''.join)))
def test_a_body_is_read_exactly_when_the_rule_says(text):
    raw = text.encode('utf-8')

    assert read(raw) == expected(raw)


@pytest.mark.parametrize('text', ['[' * (MAX_JSON_DEPTH + 1),
                                  '{"a":' * (MAX_JSON_DEPTH + 1)])
def test_a_short_unclosed_nesting_is_refused(text):
    assert read(text.encode()) is exceptions.BadRequest
