"""The plain-WSGI request id, proxy headers and CORS filters behave as
oslo.middleware's own on any request: same environ, same answer."""

from __future__ import annotations

from typing import Any
from unittest import mock

import webob
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oslo_config import cfg
from oslo_context import context
from oslo_middleware import cors as oslo_cors
from oslo_middleware import http_proxy_to_wsgi as oslo_proxy
from oslo_middleware import request_id as oslo_request_id

from trio2o_core.api.middleware import cors
from trio2o_core.api.middleware import http_proxy
from trio2o_core.api.middleware import request_id

GLOBAL_ID = 'req-0123abcd-0123-4567-89ab-0123456789ab'
SEEN = ('wsgi.url_scheme', 'HTTP_HOST', 'REMOTE_ADDR', 'SCRIPT_NAME',
        oslo_request_id.ENV_REQUEST_ID, oslo_request_id.GLOBAL_REQ_ID)

header_values = st.sampled_from([
    '', 'https', 'gw.example:8774', '192.0.2.7', '/cloud', GLOBAL_ID,
    GLOBAL_ID.upper(), 'req-nothing', 'for=192.0.2.60;proto=https',
    'for=198.51.100.1;host=proxy.example;proto=http, for=10.0.0.1',
    'http://allowed.example', 'http://other.example', 'PUT', 'X-Custom'])
REQUEST_HEADERS = ('Forwarded', 'X-Forwarded-Proto', 'X-Forwarded-Host',
                   'X-Forwarded-For', 'X-Forwarded-Prefix',
                   'X-OpenStack-Request-ID', 'Origin',
                   'Access-Control-Request-Method',
                   'Access-Control-Request-Headers')
requests = st.builds(
    lambda method, headers, path: (method, path, headers),
    st.sampled_from(['GET', 'POST', 'OPTIONS', 'DELETE', 'HEAD']),
    st.dictionaries(st.sampled_from(REQUEST_HEADERS), header_values,
                    max_size=5),
    st.sampled_from(['/', '/v2.1/servers', '/missing']))
#: what the application answers: its status and whether it already
#: answered a request id (which the filters then leave alone)
answers = st.tuples(st.sampled_from(['200 OK', '404 Not Found',
                                     '202 Accepted']),
                    st.sampled_from([None, 'x-openstack-request-id',
                                     'X-Compute-Request-Id']))


def _app(answer: tuple[str, str | None]) -> Any:
    status, own_id = answer

    def app(environ: dict, start_response: Any) -> list[bytes]:
        seen = {key: environ.get(key) for key in SEEN}
        headers = [('Content-Type', 'text/plain'), ('Vary', 'Accept')]
        if own_id:
            headers.append((own_id, 'req-from-the-app'))
        start_response(status, headers)
        return [repr(sorted(seen.items())).encode()]

    return app


def _call(app: Any, request: tuple[str, str, dict[str, str]]
          ) -> tuple[str, list[tuple[str, str]], bytes]:
    method, path, headers = request
    answer = webob.Request.blank(path, method=method,
                                 headers=headers).get_response(app)
    # the server sends no body for HEAD (oslo's webob answer drops it)
    body = b'' if method == 'HEAD' else answer.body
    return answer.status, sorted(answer.headerlist), body


def _same(ours: Any, theirs: Any,
          request: tuple[str, str, dict[str, str]]) -> None:
    """Both filters give the same answer (and pass the same environ on),
    request ids made the same for both."""
    with mock.patch.object(context, 'generate_request_id',
                           return_value='req-the-id'):
        assert _call(ours, request) == _call(theirs, request)


@settings(max_examples=300, deadline=None)
@given(request=requests, answer=answers,
       compat=st.sampled_from([[], [request_id.COMPUTE_REQUEST_ID]]))
def test_request_id_as_oslos(request: Any, answer: Any,
                             compat: list[str]) -> None:
    ours = type('Ours', (request_id.RequestId,), {'compat_headers': compat})
    theirs = type('Theirs', (oslo_request_id.RequestId,),
                  {'compat_headers': compat})
    _same(ours(_app(answer)), theirs(_app(answer)), request)


def test_compute_request_id_answers_both_headers() -> None:
    filtered = request_id.ComputeRequestId(_app(('200 OK', None)))
    answer = webob.Request.blank('/').get_response(filtered)
    assert answer.headers['x-compute-request-id'].startswith('req-')
    assert answer.headers['x-compute-request-id'] == (
        answer.headers['x-openstack-request-id'])


@settings(max_examples=300, deadline=None)
@given(request=requests, answer=answers, enabled=st.booleans())
def test_proxy_headers_as_oslos(request: Any, answer: Any,
                                enabled: bool) -> None:
    conf = cfg.ConfigOpts()
    conf([], project='trio2o-test')
    ours = http_proxy.HTTPProxyToWSGI(_app(answer), conf)
    theirs = oslo_proxy.HTTPProxyToWSGI(_app(answer), conf)
    conf.set_override('enable_proxy_headers_parsing', enabled,
                      group='oslo_middleware')
    _same(ours, theirs, request)


@settings(max_examples=300, deadline=None)
@given(request=requests, answer=answers)
def test_cors_as_oslos(request: Any, answer: Any) -> None:
    def conf() -> cfg.ConfigOpts:
        made = cfg.ConfigOpts()
        made([], project='trio2o-test')
        return made

    ours = cors.CORS(_app(answer), conf())
    theirs = oslo_cors.CORS(_app(answer), conf())
    for filtered in (ours, theirs):
        filtered.add_origin(allowed_origin=['http://allowed.example'],
                            allow_methods=['GET', 'PUT'],
                            allow_headers=['X-Custom'],
                            expose_headers=['X-Custom'])
    _same(ours, theirs, request)
