"""A bare eventlet + requests proxy (the baseline of passthrough.py).

Run: ``python bench/bare_proxy.py PORT UPSTREAM_URL``.
"""

import eventlet

eventlet.monkey_patch()

import socket  # noqa: E402
import sys  # noqa: E402

import eventlet.wsgi  # noqa: E402
import requests  # noqa: E402

http = requests.Session()


def app(env: dict, start: object) -> list[bytes]:
    """Send the request on to the upstream; answer what it answered."""
    body = env['wsgi.input'].read(int(env.get('CONTENT_LENGTH') or 0))
    query = '?' + env['QUERY_STRING'] if env.get('QUERY_STRING') else ''
    reply = http.request(
        env['REQUEST_METHOD'], sys.argv[2] + env['PATH_INFO'] + query,
        data=body, headers={'X-Auth-Token': env.get('HTTP_X_AUTH_TOKEN', ''),
                            'Content-Type': env.get('CONTENT_TYPE', '')})
    start(f'{reply.status_code} {reply.reason}',
          [('Content-Type', reply.headers.get('Content-Type', 'text/plain'))])
    return [reply.content]


sock = eventlet.listen(('127.0.0.1', int(sys.argv[1])))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
eventlet.wsgi.server(sock, app, log_output=False)
