"""A pod's JSON translated on its bytes is what the walk of its decoded
values gives, whatever the JSON's spacing, escapes and nesting."""

from __future__ import annotations

import json

import hypothesis
import pytest
from hypothesis import strategies as st

from trio2o_core.pods.translation import BodyRewrite
from trio2o_core.pods.translation import Walk

ROOT = 'http://pod1.example:8774'
TOP = 'https://cloud.example/compute'
ZONES = (('availability_zone', 'OS-EXT-AZ:availability_zone'), 'pod1-zone',
         'az1')

#: text built around what the translation looks for
_PIECES = st.sampled_from([
    ROOT, ROOT + '/', ROOT + '/v2.1/servers/x', ROOT + 'x', '/', '"', '\\',
    'pod1-zone', 'az1', 'availability_zone', ':', ' ', 'é', '\n', 'a',
    'OS-EXT-AZ:availability_zone', '\\/'])
_TEXT = st.lists(_PIECES, max_size=4).map(''.join)
_KEYS = st.one_of(_TEXT, st.sampled_from(ZONES[0]))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12)
_WRITERS = [
    lambda value: json.dumps(value),
    lambda value: json.dumps(value, separators=(',', ':'),
                             ensure_ascii=False),
    lambda value: json.dumps(value, indent=2),
    # a spacing no pod's writer uses: the zones are found by the pattern
    # that allows any
    lambda value: json.dumps(value, separators=(', ', ' :  ')),
]


@hypothesis.settings(max_examples=600)
@hypothesis.given(_JSON, st.sampled_from(_WRITERS),
                  st.sampled_from([ZONES, None]))
def test_the_bytes_rewrite_gives_what_the_walk_gives(value, write, zones):
    body = write(value).encode()

    rewritten = BodyRewrite(ROOT, TOP, zones).apply(body)

    expected = Walk(ROOT, TOP, zones).of(value)
    if rewritten is None:  # an escape in the body: the caller walks
        assert b'\\' in body
    else:
        assert json.loads(rewritten) == expected


def test_hrefs_and_zones_are_rewritten_keys_are_not():
    body = json.dumps({
        'server': {'links': [{'href': ROOT + '/v2.1/servers/1'}],
                   'availability_zone': 'pod1-zone', ROOT: ROOT,
                   'note': 'see ' + ROOT, 'other': ROOT + 'x'}}).encode()

    rewritten = BodyRewrite(ROOT, TOP, ZONES).apply(body)

    assert json.loads(rewritten) == {'server': {
        'links': [{'href': TOP + '/v2.1/servers/1'}],
        'availability_zone': 'az1', ROOT: TOP, 'note': 'see ' + ROOT,
        'other': ROOT + 'x'}}


@pytest.mark.parametrize('colon', [':', ': ', ' : '])
def test_a_zone_is_rewritten_however_its_colon_is_written(colon):
    # with the pod's zone also a plain value, which stays as it is
    body = ('{"server": {"availability_zone"%s"pod1-zone", '
            '"OS-EXT-AZ:availability_zone"%s"pod1-zone", '
            '"name"%s"pod1-zone", "pod1-zone"%s"pod1-zone"}}' % (
                (colon,) * 4)).encode()

    rewritten = BodyRewrite(ROOT, TOP, ZONES).apply(body)

    assert json.loads(rewritten) == {'server': {
        'availability_zone': 'az1', 'OS-EXT-AZ:availability_zone': 'az1',
        'name': 'pod1-zone', 'pod1-zone': 'pod1-zone'}}


def test_bodies_with_escapes_are_left_to_the_walk():
    assert BodyRewrite(ROOT, TOP, None).apply(
        b'{"href": "http:\\/\\/pod1.example:8774\\/v2.1"}') is None
    assert BodyRewrite(ROOT, TOP, None).apply(
        b'{"name": "\\"http://pod1.example:8774/"}') is None
