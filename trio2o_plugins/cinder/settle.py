"""How the reconciler reads a Cinder pod, for volumes, snapshots and
backups alike: each listed once with ``all_tenants`` (page by page),
then shown one by one when not listed; a resource counts as gone only
when Cinder answers its 404 ``itemNotFound``, and as being deleted while
its status is ``deleting``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from trio2o_core.plugin import ListedInventory
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodGet
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import ResourceState
from trio2o_plugins.cinder import routed


class CinderInventory(ListedInventory):
    """One pod's resources of one kind, of every project, as its Cinder
    API tells them."""

    created_key = 'created_at'

    def record_state(self, record: Mapping[str, Any]) -> ResourceState:
        if record.get('status') == 'deleting':
            return ResourceState.DELETING
        return ResourceState.PRESENT


class PodVolumes(CinderInventory):
    collection = routed.VOLUME.collection
    project_key = 'os-vol-tenant-attr:tenant_id'


class PodSnapshots(CinderInventory):
    collection = routed.SNAPSHOT.collection
    project_key = 'os-extended-snapshot-attributes:project_id'


class PodBackups(CinderInventory):
    """Backups show their project only from 3.18 (the reconciler reads
    at 3.0): a project's backups are listed with its filter."""

    collection = routed.BACKUP.collection
    project_key = 'os-backup-project-attr:project_id'
    project_filter = 'project_id'


class CinderReconciler(Reconciler):
    """Settles the rows of one kind (and their ``<kind>_request`` rows)
    from the pods' block-storage endpoint."""

    catalog_service = 'block_storage'
    inventory_class: ClassVar[type[CinderInventory]]

    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        return self.inventory_class(pod, get)


class VolumeReconciler(CinderReconciler):
    resource_type = routed.VOLUME.resource_type
    inventory_class = PodVolumes


class SnapshotReconciler(CinderReconciler):
    resource_type = routed.SNAPSHOT.resource_type
    inventory_class = PodSnapshots


class BackupReconciler(CinderReconciler):
    resource_type = routed.BACKUP.resource_type
    inventory_class = PodBackups


#: one reconciler per routed kind
RECONCILERS: tuple[type[CinderReconciler], ...] = (
    VolumeReconciler, SnapshotReconciler, BackupReconciler)
