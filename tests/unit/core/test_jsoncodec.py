"""The request path's JSON codec writes what the standard library
writes, whatever the keys and integers."""

import json

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core.plugin import jsoncodec

KEYS = st.one_of(st.text(max_size=5), st.integers(-10**20, 10**20),
                 st.booleans(), st.none())
SCALARS = st.one_of(st.none(), st.booleans(), st.text(max_size=8),
                    st.integers(-10**30, 10**30),
                    st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)


def standard(value: object) -> bytes:
    return json.dumps(value, separators=(',', ':'),
                      ensure_ascii=False).encode('utf-8')


@settings(max_examples=500, deadline=None)
@given(value=VALUES)
def test_written_as_the_standard_library_writes_it(value):
    written = jsoncodec.dumps(value)

    assert json.loads(written) == json.loads(standard(value))


@settings(max_examples=300, deadline=None)
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=8),
              st.integers(-2**63, 2**64 - 1),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=5), inner,
                                            max_size=4)), max_leaves=20))
def test_read_as_the_standard_library_reads_it(value):
    # within 64 bits: orjson reads a longer integer as a float
    text = standard(value)

    assert jsoncodec.loads(text) == json.loads(text)


@pytest.mark.parametrize('value', [
    {'servers': [{'id': 'a', 'name': 'é'}]}, {1: 'one', None: 2},
    {'big': 2**70}, [True, None, 'x']])
def test_the_same_bytes_where_no_float_is_written(value):
    assert jsoncodec.dumps(value) == standard(value)


def test_a_value_that_refers_to_itself_is_refused():
    value: list = []
    value.append(value)

    with pytest.raises(ValueError):
        jsoncodec.dumps(value)


@settings(max_examples=300, deadline=None)
@given(records=st.lists(st.dictionaries(st.text(max_size=5), VALUES,
                                        max_size=4), max_size=4),
       other=VALUES)
def test_a_written_record_is_written_as_its_record(records, other):
    records = [{**record, 'id': str(n)} for n, record in enumerate(records)]
    body = {'items': [jsoncodec.Written(r) for r in records], 'o': other}

    assert json.loads(jsoncodec.dumps(body)) == json.loads(
        standard({'items': records, 'o': other}))


def test_a_written_record_shows_only_its_id():
    written = jsoncodec.Written({'id': 'a', 'name': 'x'})

    assert written['id'] == 'a'
    assert dict(written) == {'id': 'a'}
    with pytest.raises(KeyError):
        written['name']


def test_what_is_not_json_is_still_refused_beside_a_written_record():
    body = [jsoncodec.Written({'id': 'a'}), object()]

    with pytest.raises(TypeError):
        jsoncodec.dumps(body)
