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

from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import MicroversionSpec
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import gateway_url
from trio2o_core.plugin import json_response

MIN_VERSION = APIVersion(3, 0)
#: the highest version of the Cinder release the gateway was built
#: against
KNOWN_MAX_VERSION = APIVersion(3, 71)
UPDATED = '2023-08-31T00:00:00Z'

API = ServiceAPI(
    catalog_service='block_storage',
    version_suffix=r'/v3(?:/[0-9a-fA-F-]+)?',
    zone_keys=('availability_zone',),
    microversions=MicroversionSpec(
        service='volume', minimum=MIN_VERSION,
        known_maximum=KNOWN_MAX_VERSION, config_group='cinder',
        document_path=''))


class CinderService(ServiceDriver):
    """Serves ``/volume``: Cinder's version documents."""

    prefix = 'volume'
    fault_style = 'cinder'
    api = API

    def routes(self) -> Sequence[Route]:
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v3', {'GET': self.version}),
        ]

    def _record(self, request: webob.Request) -> dict[str, Any]:
        return {
            'id': 'v3.0', 'status': 'CURRENT',
            'version': str(self.gateway.max_version(request, self.api)),
            'min_version': str(MIN_VERSION), 'updated': UPDATED,
            'links': [{'rel': 'describedby', 'type': 'text/html',
                       'href': 'https://docs.openstack.org/'},
                      {'rel': 'self',
                       'href': gateway_url(request) + '/v3/'}],
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
