"""Compute version documents, written as Nova writes them."""

from __future__ import annotations

from typing import Any

import webob

from trio2o_core.plugin import links
from trio2o_plugins.nova import microversions

UPDATED = '2013-07-23T11:33:21Z'
MEDIA_TYPES = [{'base': 'application/json',
                'type': 'application/vnd.openstack.compute+json;version=2.1'}]


def v21(request: webob.Request, maximum: str) -> dict[str, Any]:
    """Return the v2.1 version record with hrefs at the gateway."""
    return {
        'id': 'v2.1', 'status': 'CURRENT', 'version': maximum,
        'min_version': str(microversions.MIN_VERSION), 'updated': UPDATED,
        'links': [{'rel': 'self',
                   'href': links.gateway_url(request) + '/v2.1/'},
                  {'rel': 'describedby', 'type': 'text/html',
                   'href': 'http://docs.openstack.org/'}],
        'media-types': MEDIA_TYPES,
    }


def v2(request: webob.Request) -> dict[str, Any]:
    """Return the record of the legacy v2.0 API (listed as Nova does)."""
    return {
        'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
        'min_version': '', 'updated': '2025-07-04T12:00:00Z',
        'links': [{'rel': 'self',
                   'href': links.gateway_url(request) + '/v2/'}],
    }
