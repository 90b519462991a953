"""The block-storage service driver: Cinder's v3 API across every pod.

``/volume`` answers version discovery as Cinder does (``GET /`` 300 with
the v3 record, ``GET /v3`` with a token), with Cinder's microversion
headers and fault format; the advertised maximum is the lowest of the
enabled pods'. Every API path is served with and without the project id
after ``/v3``, as Cinder's router does; another project's id in the URL
is Cinder's 400 ``Malformed request url``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import MicroversionSpec
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import gateway_url
from trio2o_core.plugin import json_response
from trio2o_core.plugin import project_scoped
from trio2o_plugins.cinder import admin_lists
from trio2o_plugins.cinder import attachments
from trio2o_plugins.cinder import backups
from trio2o_plugins.cinder import groups
from trio2o_plugins.cinder import limits
from trio2o_plugins.cinder import listing
from trio2o_plugins.cinder import messages
from trio2o_plugins.cinder import quotas
from trio2o_plugins.cinder import routed
from trio2o_plugins.cinder import service_writes
from trio2o_plugins.cinder import settle
from trio2o_plugins.cinder import snapshots
from trio2o_plugins.cinder import transfers
from trio2o_plugins.cinder import type_encryption
from trio2o_plugins.cinder import type_writes
from trio2o_plugins.cinder import types
from trio2o_plugins.cinder import volumes
from trio2o_plugins.cinder import zones
from trio2o_plugins.cinder.actions import dispatch

MIN_VERSION = APIVersion(3, 0)
#: the highest version of the Cinder release the gateway was built
#: against
KNOWN_MAX_VERSION = APIVersion(3, 71)
UPDATED = '2023-08-31T00:00:00Z'
#: the attributes of a record in the lists that are not detailed
VOLUME_SUMMARY = ('id', 'name', 'links')
SNAPSHOT_SUMMARY = ('id', 'created_at', 'updated_at', 'name',
                    'description', 'volume_id', 'status', 'size',
                    'metadata')
BACKUP_SUMMARY = ('id', 'links', 'name')
ATTACHMENT_SUMMARY = ('id', 'status', 'instance', 'volume_id')
GROUP_SUMMARY = ('id', 'name')
GROUP_SNAPSHOT_SUMMARY = ('id', 'name', 'group_type_id')

API = ServiceAPI(
    catalog_service='block_storage',
    version_suffix=r'/v3(?:/[0-9a-fA-F-]+)?',
    zone_keys=('availability_zone',),
    microversions=MicroversionSpec(
        service='volume', minimum=MIN_VERSION,
        known_maximum=KNOWN_MAX_VERSION, config_group='cinder',
        document_path=''))


def _mismatch(url_project_id: str, project_id: str) -> BadRequest:
    return BadRequest('Malformed request url')


class CinderService(ServiceDriver):
    """Serves ``/volume``: version documents, volumes and their actions,
    snapshots, backups, attachments, groups and group snapshots, zones,
    limits, volume types, quota sets, messages, services and pools."""

    prefix = 'volume'
    fault_style = 'cinder'
    api = API
    # as Cinder: a path with a trailing slash (``/volumes/``) or a method
    # a path lacks is not found, the version documents excepted
    other_method_status = 404
    keeps_trailing_slash = True

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self.volumes = volumes.VolumesController(self)
        self.snapshots = snapshots.SnapshotsController(self)
        self.actions = dispatch.VolumeActions(self)
        self.volume_lister = listing.Lister(gateway, routed.VOLUME,
                                            VOLUME_SUMMARY)
        self.snapshot_lister = listing.Lister(gateway, routed.SNAPSHOT,
                                              SNAPSHOT_SUMMARY)
        # admin writes and lists over every pod
        self.type_writes = type_writes.TypeWrites(self)
        self.type_encryption = type_encryption.TypeEncryption(
            self.type_writes)
        self.quota_sets = quotas.QuotaSets(self)
        self.admin_lists = admin_lists.AdminLists(self)
        self.service_writes = service_writes.ServiceWrites(self)
        self.messages = messages.Messages(self)
        # routed resources of Cinder's v3 additions
        self.backups = backups.BackupsController(self)
        self.backup_lister = listing.Lister(gateway, routed.BACKUP,
                                            BACKUP_SUMMARY)
        self.attachments = attachments.AttachmentsController(self)
        self.attachment_lister = listing.Lister(
            gateway, routed.ATTACHMENT, ATTACHMENT_SUMMARY)
        self.groups = groups.GroupsController(self)
        self.transfers = transfers.TransfersController(self)
        self.group_lister = listing.Lister(gateway, routed.GROUP,
                                           GROUP_SUMMARY)
        self.group_snapshot_lister = listing.Lister(
            gateway, routed.GROUP_SNAPSHOT, GROUP_SNAPSHOT_SUMMARY)

    def reconcilers(self) -> Sequence[Reconciler]:
        return tuple(reconciler() for reconciler in settle.RECONCILERS)

    def routes(self) -> Sequence[Route]:
        api = [
            Route('/v3/volumes', {'GET': self.list_volumes,
                                  'POST': self.volumes.create}),
            Route('/v3/volumes/detail', {'GET': self.list_volumes}),
            *self.actions.routes(),
            *self.volumes.routes(),
            Route('/v3/snapshots', {'GET': self.list_snapshots,
                                    'POST': self.snapshots.create}),
            Route('/v3/snapshots/detail', {'GET': self.list_snapshots}),
            *self.snapshots.routes(),
            # routed resources of Cinder's v3 additions
            Route('/v3/backups', {'GET': self.list_backups,
                                  'POST': self.backups.create}),
            Route('/v3/backups/detail', {'GET': self.list_backups}),
            *self.backups.routes(),
            Route('/v3/attachments', {'GET': self.list_attachments,
                                      'POST': self.attachments.create}),
            Route('/v3/attachments/detail', {'GET': self.list_attachments}),
            *self.attachments.routes(),
            Route('/v3/groups', {'GET': self.list_groups,
                                 'POST': self.groups.create}),
            Route('/v3/groups/detail', {'GET': self.list_groups}),
            Route('/v3/group_snapshots', {
                'GET': self.list_group_snapshots,
                'POST': self.groups.create_snapshot}),
            Route('/v3/group_snapshots/detail',
                  {'GET': self.list_group_snapshots}),
            *self.groups.routes(),
            *self.transfers.routes(),
            Route('/v3/os-availability-zone', {'GET': self.list_zones}),
            Route('/v3/limits', {'GET': self.absolute_limits}),
            Route('/v3/types', {'GET': self.list_types,
                                'POST': self.type_writes.create}),
            Route('/v3/types/{type_id}', {
                'GET': self.show_type, 'PUT': self.type_writes.update,
                'DELETE': self.type_writes.delete}),
            # admin writes and lists over every pod
            *self.type_writes.routes(),
            *self.type_encryption.routes(),
            *self.quota_sets.routes(),
            *self.admin_lists.routes(),
            *self.service_writes.routes(),
            *self.messages.routes(),
        ]
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v3', {'GET': self.version}),
            Route('/v3/', {'GET': self.version}),
            *api,
            *(project_scoped(route, '/v3', _mismatch) for route in api),
        ]

    # version documents

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

    # merged and gateway-made answers

    def list_volumes(self, request: webob.Request) -> webob.Response:
        """``GET /volumes[/detail]``, merged over the pods."""
        return self.volume_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_snapshots(self, request: webob.Request) -> webob.Response:
        """``GET /snapshots[/detail]``, merged over the pods."""
        return self.snapshot_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_backups(self, request: webob.Request) -> webob.Response:
        """``GET /backups[/detail]``, merged over the pods."""
        return self.backup_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_attachments(self, request: webob.Request) -> webob.Response:
        """``GET /attachments[/detail]`` (3.27+), merged over the pods."""
        routed.require(request, attachments.MIN_VERSION)
        return self.attachment_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_groups(self, request: webob.Request) -> webob.Response:
        """``GET /groups[/detail]`` (3.13+), merged over the pods."""
        routed.require(request, groups.GROUP_VERSION)
        return self.group_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_group_snapshots(self,
                             request: webob.Request) -> webob.Response:
        """``GET /group_snapshots[/detail]`` (3.14+), merged."""
        routed.require(request, groups.SNAPSHOT_VERSION)
        return self.group_snapshot_lister.respond(
            request, self.pods(request),
            request.path_info.endswith('/detail'))

    def list_zones(self, request: webob.Request) -> webob.Response:
        """``GET /os-availability-zone``: the zones users see."""
        return zones.availability_zones(self.gateway, request)

    def absolute_limits(self, request: webob.Request) -> webob.Response:
        """``GET /limits``: summed over the project's pods."""
        return limits.limits(self.gateway, self.pods(request), request)

    def list_types(self, request: webob.Request) -> webob.Response:
        """``GET /types``: merged by name over the enabled pods."""
        return types.list_types(self.pods(request),
                                self.gateway.list_pods(), request)

    def show_type(self, request: webob.Request,
                  type_id: str) -> webob.Response:
        """``GET /types/{id}``: from the pod that has the id."""
        return types.show_type(self.pods(request), self.gateway.list_pods(),
                               type_id)
