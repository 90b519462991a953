"""How the reconciler reads a Cinder pod: volumes listed once with
``all_tenants`` (page by page), then shown one by one when not listed;
a volume counts as gone only when Cinder answers its 404
``itemNotFound``, and as being deleted while its status is
``deleting``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ListedInventory
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodGet
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import ResourceState
from trio2o_plugins.cinder import routed


class VolumeReconciler(Reconciler):
    """Settles ``volume`` rows (and ``volume_request`` rows)."""

    resource_type = routed.VOLUME.resource_type
    catalog_service = 'block_storage'

    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        return PodVolumes(pod, get)


class PodVolumes(ListedInventory):
    """One pod's volumes of every project, as its Cinder API tells
    them."""

    collection = 'volumes'
    project_key = 'os-vol-tenant-attr:tenant_id'
    created_key = 'created_at'

    def record_state(self, record: Mapping[str, Any]) -> ResourceState:
        if record.get('status') == 'deleting':
            return ResourceState.DELETING
        return ResourceState.PRESENT
