"""Compute version documents, written as Nova 34 writes them, with
hrefs at the gateway."""

from __future__ import annotations

from typing import Any

import webob

from trio2o_core.plugin import gateway_url
from trio2o_plugins.nova import api as compute_api

DESCRIBED_BY = {'rel': 'describedby', 'type': 'text/html',
                'href': 'http://docs.openstack.org/'}


def _versions(maximum: str) -> dict[str, dict[str, Any]]:
    """Nova's ``VERSIONS`` table, by id (``v2.0`` is the legacy API)."""
    return {
        'v2.0': {
            'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
            'min_version': '', 'updated': '2025-07-04T12:00:00Z',
            'media-types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.compute+json;version=2'}],
        },
        'v2.1': {
            'id': 'v2.1', 'status': 'CURRENT', 'version': maximum,
            'min_version': str(compute_api.MIN_VERSION),
            'updated': '2013-07-23T11:33:21Z',
            'media-types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.compute+json;'
                        'version=2.1'}],
        },
    }


def _href(request: webob.Request, version_id: str) -> str:
    segment = 'v2.1' if version_id == 'v2.1' else 'v2'
    return f'{gateway_url(request)}/{segment}/'


def version_list(request: webob.Request, maximum: str) -> dict[str, Any]:
    """Return ``GET /`` (``{"versions": [...]}``); ``maximum`` is the
    highest microversion served."""
    return {'versions': [
        {'id': doc['id'], 'status': doc['status'],
         'version': doc['version'], 'min_version': doc['min_version'],
         'updated': doc['updated'],
         'links': [{'rel': 'self', 'href': _href(request, doc['id'])}]}
        for _, doc in sorted(_versions(maximum).items())]}


def version(request: webob.Request, version_id: str,
            maximum: str) -> dict[str, Any]:
    """Return ``GET /v2.1`` or ``GET /v2`` (``{"version": {...}}``) for
    ``version_id`` (``v2.1`` or ``v2.0``)."""
    doc = _versions(maximum)[version_id]
    media_types = doc.pop('media-types')
    doc['links'] = [{'rel': 'self', 'href': _href(request, version_id)},
                    dict(DESCRIBED_BY)]
    doc['media-types'] = media_types
    return {'version': doc}
