"""How the reconciler reads a Nova pod: servers listed once with
``all_tenants`` (page by page), then looked up one by one when not
listed; a server counts as gone only when Nova answers its 404
``itemNotFound`` or shows it ``DELETED``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ListedInventory
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodGet
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import ResourceState
from trio2o_plugins.nova import forward


class ServerReconciler(Reconciler):
    """Settles ``server`` rows (and ``server_request`` rows)."""

    resource_type = forward.RESOURCE
    catalog_service = 'compute'

    def __init__(self, retention: float = 0.0) -> None:
        self.retention = retention

    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        return PodServers(pod, get)


class PodServers(ListedInventory):
    """One pod's servers of every project, as its compute API tells
    them."""

    collection = 'servers'
    project_key = 'tenant_id'
    created_key = 'created'

    def record_state(self, record: Mapping[str, Any]) -> ResourceState:
        if (record.get('status') == 'DELETED'
                or record.get('OS-EXT-STS:vm_state') == 'deleted'):
            return ResourceState.GONE
        if (record.get('OS-EXT-STS:task_state') == 'deleting'
                or record.get('status') == 'SOFT_DELETED'):
            return ResourceState.DELETING
        return ResourceState.PRESENT
