"""The block-storage service: Cinder's v3 version documents.

``/volume`` answers version discovery as Cinder does (``GET /`` 300 with
the v3 record, ``GET /v3`` with a token), with Cinder's microversion
headers and fault format. The volume API itself (volumes, their actions,
lists across pods) is not served yet, so the gateway is not registered
as a block-storage endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_core.plugin import links
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import negotiate
from trio2o_core.plugin.microversion import requested_version

SERVICE = 'volume'
MIN_VERSION = APIVersion(3, 0)
#: the highest version of the Cinder release the gateway was built
#: against
KNOWN_MAX_VERSION = APIVersion(3, 71)
UPDATED = '2023-08-31T00:00:00Z'
_VERSION_KEY = 'trio2o.cinder.microversion'
_REJECTED_KEY = 'trio2o.cinder.rejected_microversion'


class CinderService(ServiceDriver):
    """Serves ``/volume``: Cinder's version documents."""

    prefix = 'volume'
    fault_style = 'cinder'

    def routes(self) -> Sequence[Route]:
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v3', {'GET': self.version}),
        ]

    def max_version(self) -> APIVersion:
        """The advertised maximum: ``[cinder] max_microversion`` or the
        known maximum, whichever is lower."""
        cap = self.gateway.conf.cinder.max_microversion
        known = KNOWN_MAX_VERSION
        return min(known, APIVersion.parse(cap)) if cap else known

    def prepare(self, request: webob.Request) -> None:
        asked = requested_version(request.headers, SERVICE)
        try:
            request.environ[_VERSION_KEY] = negotiate(
                asked, MIN_VERSION, self.max_version())
        except Exception:
            request.environ[_REJECTED_KEY] = asked
            raise

    def finish(self, request: webob.Request,
               response: webob.Response) -> None:
        version = request.environ.get(_VERSION_KEY)
        text = str(version) if version is not None else None
        if text is None and response.status_code == 406:
            text = request.environ.get(_REJECTED_KEY)
        if text is not None:
            response.headers['OpenStack-API-Version'] = f'{SERVICE} {text}'
            response.headers.add('Vary', 'OpenStack-API-Version')

    def _record(self, request: webob.Request) -> dict[str, Any]:
        return {
            'id': 'v3.0', 'status': 'CURRENT',
            'version': str(self.max_version()),
            'min_version': str(MIN_VERSION), 'updated': UPDATED,
            'links': [{'rel': 'describedby', 'type': 'text/html',
                       'href': 'https://docs.openstack.org/'},
                      {'rel': 'self',
                       'href': links.gateway_url(request) + '/v3/'}],
            'media-types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.volume+json;version=3'}],
        }

    def versions(self, request: webob.Request) -> webob.Response:
        """``GET /``: 300 with the v3 record, as Cinder answers."""
        return json_response({'versions': [self._record(request)]}, 300)

    def version(self, request: webob.Request) -> webob.Response:
        """``GET /v3``: the same document, for a caller with a token."""
        return json_response({'versions': [self._record(request)]})
