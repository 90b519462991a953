"""Pod calls over the connector's session, real HTTP on loopback.

The canned Nova runs in a child process: an in-process ``http.server``
may be the green copy another test's eventlet import left behind.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import webob
from keystoneauth1 import fixture

from trio2o_core.context import RequestContext
from trio2o_core.plugin import CONTEXT_KEY
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.pods.caller import CorePodCaller
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.fanout import Fanout
from trio2o_core.pods.health import PodHealth
from trio2o_plugins.nova.api import API

POD = Pod('id-1', 'Pod1', 'az1', 'pod1-zone', None, True)

NOVA = '''
import http.server, json, sys
peers = set()

class Nova(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self):
        peers.add(self.client_address)
        host = self.headers['Host']
        version = {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.96',
                   'min_version': '2.1',
                   'links': [{'rel': 'self', 'href': f'http://{host}/v2.1/'}]}
        path = self.path.rstrip('/')
        body = ({'versions': [version]} if path == '' else
                {'version': version} if path == '/v2.1' else
                {'servers': [], 'seen_token': self.headers['X-Auth-Token'],
                 'connections': len(peers)})
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Nova)
print(server.server_address[1], flush=True)
server.serve_forever()
'''


@pytest.fixture
def nova() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, '-c', NOVA],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield f'http://127.0.0.1:{port}'
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def _context(url: str, token: str) -> RequestContext:
    catalog = fixture.V3Token()
    catalog.add_service('compute').add_standard_endpoints(
        public=url + '/v2.1', region='Pod1')
    return RequestContext(user_id='u', project_id='p', auth_token=token,
                          token_info=catalog)


def _get(connector: PodConnector, url: str, token: str) -> PodReply:
    """``GET /servers`` of the pod at ``url``, as the caller of a request
    with ``token``."""
    request = webob.Request.blank('/')
    request.environ[CONTEXT_KEY] = _context(url, token)
    caller = CorePodCaller(request, API, connector, PodHealth(), Fanout(),
                           10.0)
    return caller.call(POD, 'GET', '/servers', microversion='2.1')


def test_calls_carry_the_token_and_reuse_one_tcp_connection(nova):
    connector = PodConnector()
    for token in ('token-a', 'token-b', 'token-a'):
        body = _get(connector, nova, token).json()
        assert body['seen_token'] == token
    assert body['connections'] == 1


def test_proxy_settings_of_the_environment_are_not_used(nova, monkeypatch):
    # a proxy that refuses every connection: calls must go straight
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')
    monkeypatch.setenv('http_proxy', 'http://127.0.0.1:9')
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    assert _get(PodConnector(), nova, 'token-a').status_code == 200
