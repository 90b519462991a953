"""Plain records the core hands to plugins."""

from __future__ import annotations

import dataclasses
import datetime


@dataclasses.dataclass(frozen=True)
class Pod:
    """A pod: one OpenStack cloud behind the gateway.

    ``name`` is the pod's Keystone region; ``az_name`` the availability
    zone users see; ``pod_az_name`` the zone name inside the pod. A
    ``draining`` pod takes no new resource but serves the ones it holds;
    ``weight`` is the operator's preference for the ``weighted`` policy.
    ``identity`` is ``shared`` (the pod trusts the gateway's Keystone) or
    ``k2k`` (its own Keystone, a service provider of the gateway's,
    registered as ``service_provider``).
    """

    id: str
    name: str
    az_name: str | None
    pod_az_name: str | None
    dc_name: str | None
    enabled: bool
    weight: int = 1
    draining: bool = False
    identity: str = 'shared'
    service_provider: str | None = None


@dataclasses.dataclass(frozen=True)
class Routing:
    """Where a resource the gateway created lives.

    ``top_id`` is the id clients see, ``bottom_id`` the id inside ``pod``;
    ``project_id`` the gateway's project that owns it, ``pod_project_id``
    the project it lives in inside a ``k2k`` pod.
    """

    top_id: str
    resource_type: str
    bottom_id: str
    pod: Pod
    project_id: str
    status: str
    created_at: datetime.datetime | None = None
    pod_project_id: str | None = None
