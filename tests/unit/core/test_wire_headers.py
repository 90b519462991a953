"""The pod calls' headers and URLs, against what ``requests`` does."""

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from trio2o_core.pods import wire
from trio2o_core.pods.connector import requote
from trio2o_core.pods.headers import Headers

NAMES = st.sampled_from(['Accept', 'accept', 'X-Auth-Token', 'x-auth-token',
                         'Content-Type', 'OpenStack-API-Version', 'Via'])
VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=126),
                 max_size=12)


@given(st.lists(st.tuples(NAMES, VALUES), max_size=12),
       st.lists(NAMES, max_size=6))
def test_headers_answer_as_requests_case_insensitive_dict(pairs, asked):
    headers = Headers()
    model: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, value in pairs:
        headers.add(name, value)
        model[name] = (f'{model[name]}, {value}' if name in model
                       else value)

    assert dict(headers.lower_items()) == dict(model.lower_items())
    assert headers.pairs() == list(model._store.values())
    for name in asked:
        assert (name in headers) == (name in model)
        assert headers.get(name, 'none') == model.get(name, 'none')
    assert headers == model


@given(st.dictionaries(NAMES, VALUES, max_size=5))
def test_headers_made_from_a_mapping_update_as_requests_does(data):
    model: CaseInsensitiveDict[str] = CaseInsensitiveDict(data)

    assert dict(Headers(data).lower_items()) == dict(
        model.lower_items())


@given(st.text(max_size=40))
def test_requote_writes_what_requests_writes(path):
    url = 'http://pod:8774/v2.1/' + path
    try:
        expected = requests.utils.requote_uri(url)
    except requests.exceptions.InvalidURL:
        with pytest.raises(requests.exceptions.InvalidURL):
            requote(url)
        return
    assert requote(url) == expected


UNSAFE_NAME = st.text(st.sampled_from('Ab-\x00 \t\x7f\r\n'), min_size=1,
                      max_size=5)
UNSAFE_VALUE = st.text(st.sampled_from('ab \t\x00\r\n;'), max_size=5)


@given(st.dictionaries(UNSAFE_NAME, UNSAFE_VALUE, max_size=4))
def test_a_request_head_refuses_exactly_the_headers_that_smuggle(headers):
    request = requests.PreparedRequest()
    request.method = 'GET'
    request.url = 'http://pod/v2.1/servers'
    request.body = None
    request.headers = Headers(headers)
    unsafe = [name for name, value in headers.items()
              if wire.UNSAFE.search(name) or wire.UNSAFE_VALUE.search(value)]

    if unsafe:
        with pytest.raises(requests.exceptions.InvalidHeader) as raised:
            wire.request_head(request, 'pod', 80, 'http', '/v2.1/servers')
        assert str(raised.value) == f'header {unsafe[0]!r} holds a line break'
    else:
        head = wire.request_head(request, 'pod', 80, 'http',
                                 '/v2.1/servers')
        assert head.startswith(b'GET /v2.1/servers HTTP/1.1\r\n')
        for name, value in headers.items():
            assert f'\r\n{name}: {value}\r\n'.encode('latin-1') in head
