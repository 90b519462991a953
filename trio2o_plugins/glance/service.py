"""The image service: Glance v2 passed through to the image pod.

Images are shared by every pod (one Glance for the whole deployment, or
replicated ones), so every call goes to the Glance of one pod: the pod
named by ``[glance] pod``, else the first enabled pod by name. Status,
headers and body come back unchanged but for hrefs, which point at the
gateway; request and response bodies are streamed, never buffered.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

import webob
from oslo_config import cfg

from trio2o_core.plugin import CONTEXT_KEY
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import gateway_url
from trio2o_core.plugin import json_response

OPTS: list[cfg.Opt] = [
    cfg.StrOpt('pod',
               help='Region name of the pod whose Glance serves images. '
                    'Unset: the first enabled pod by name.'),
]

REQUEST_HEADERS = (
    'Content-Type', 'Accept',
    'Accept-Language', 'Range', 'Content-Range', 'X-Openstack-Request-Id',
    'x-openstack-image-size', 'X-Image-Meta-Store',
    'x-image-meta-checksum',
)
RESPONSE_HEADERS = (
    'Content-Type', 'Content-Length', 'Content-Range', 'Content-MD5',
    'WWW-Authenticate', 'OpenStack-image-import-methods',
    'OpenStack-image-store-ids', 'Accept-Patch', 'Allow',
    'x-openstack-request-id', 'Retry-After',
)
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')
#: versions a default Glance lists, newest first, for callers without a
#: token (version documents need none)
DEFAULT_VERSIONS = ('2.17', '2.15', '2.9', '2.7', '2.6', '2.5', '2.4',
                    '2.3', '2.2', '2.1', '2.0')
CHUNK = 64 * 1024


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The ``[glance]`` options."""
    return [('glance', OPTS)]


class GlanceService(ServiceDriver):
    """Serves ``/image`` by passing every call through to one Glance."""

    prefix = 'image'
    fault_style = 'passthrough'
    api = ServiceAPI(catalog_service='image')
    # Glance tells ``/v2/images/`` (404) from ``/v2/images``
    keeps_trailing_slash = True

    def __init__(self, gateway: Any) -> None:
        super().__init__(gateway)
        gateway.conf.register_opts(OPTS, group='glance')

    def routes(self) -> Sequence[Route]:
        passthrough = dict.fromkeys(METHODS, self.passthrough)
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/versions', {'GET': self.versions}, public=True),
            Route('/{path:.+}', passthrough),
        ]

    def image_pod(self) -> Pod:
        """Return the pod whose Glance serves images.

        :raises PodUnavailable: no such pod is enabled.
        """
        wanted = self.gateway.conf.glance.pod
        pods = self.gateway.list_pods()
        for pod in pods:
            if wanted is None or pod.name == wanted:
                return pod
        raise PodUnavailable(wanted or 'image',
                             'no enabled pod serves images')

    def versions(self, request: webob.Request) -> webob.Response:
        """Version list: the image pod's when the caller has a token,
        Glance's default list otherwise (300 on ``/``, 200 on
        ``/versions``, as Glance)."""
        status = 300 if request.path_info.strip('/') == '' else 200
        if CONTEXT_KEY in request.environ:
            response = self._forward(request, self.image_pod(), 'versions')
            if response.status_code < 400:
                response.status = status
            return response
        base = gateway_url(request)
        return json_response({'versions': [
            {'id': f'v{version}',
             'status': 'CURRENT' if i == 0 else 'SUPPORTED',
             'links': [{'rel': 'self', 'href': f'{base}/v2/'}]}
            for i, version in enumerate(DEFAULT_VERSIONS)]}, status)

    def passthrough(self, request: webob.Request,
                    path: str) -> webob.Response:
        """Send the call to the image pod and return its answer."""
        return self._forward(request, self.image_pod(), path)

    def _forward(self, request: webob.Request, pod: Pod,
                 path: str) -> webob.Response:
        pods = self.pods(request)
        headers = {name: request.headers[name] for name in REQUEST_HEADERS
                   if name in request.headers}
        pod_response = pods.call(
            pod, request.method, path, params=list(request.GET.items()),
            data=_body(request), headers=headers, stream=True)
        return self._answer(pods, pod, pod_response)

    @staticmethod
    def _answer(pods: PodCaller, pod: Pod,
                pod_response: PodReply) -> webob.Response:
        """The pod's answer unchanged but for its hrefs (at the
        gateway); a body other than JSON is streamed."""
        response = webob.Response(status=pod_response.status_code)
        response.headerlist = [
            (name, pod_response.headers[name]) for name in RESPONSE_HEADERS
            if name in pod_response.headers]
        if 'Location' in pod_response.headers:
            response.headers['Location'] = pods.translate(
                pod, pod_response.headers['Location'])
        content_type = pod_response.headers.get('Content-Type', '')
        if content_type.startswith('application/json'):
            try:
                body = pod_response.json()
            except ValueError:
                response.body = pod_response.content
            else:
                response.json_body = pods.translate(pod, body)
            return response
        response.app_iter = _stream(pod_response)
        return response


class _SizedBody:
    """A request body of known length, read as the pod call sends it (so
    it goes out with Content-Length, not chunked)."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self._length = length

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._stream.read(size)
        return data


def _body(request: webob.Request) -> Any:
    """The request body to send on: sized when the client gave a length,
    a chunked stream otherwise, None when there is none.

    A chunked body is read from the server's input directly: servers that
    do not set ``wsgi.input_terminated`` (eventlet) make WebOb's
    ``body_file`` empty for a body without a length.
    """
    if request.content_length is not None:
        return (_SizedBody(request.body_file, request.content_length)
                if request.content_length else None)
    chunked = 'chunked' in request.headers.get('Transfer-Encoding',
                                               '').lower()
    if request.is_body_readable or chunked:
        stream = request.body_file_raw
        return iter(lambda: stream.read(CHUNK), b'')
    return None


def _stream(pod_response: Any) -> Iterator[bytes]:
    try:
        yield from pod_response.iter_content(CHUNK)
    finally:
        pod_response.close()
