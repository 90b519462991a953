"""What clients need around servers, each answered the simplest correct
way across pods, one module per family: :mod:`.pod_resources` (images,
quotas, extensions, key pair reads), :mod:`.flavors`,
:mod:`.aggregates`, :mod:`.zones`, :mod:`.keypairs`, :mod:`.limits`,
:mod:`.hosts` (services and hypervisors), :mod:`.legacy_hosts` (``/os-hosts``),
:mod:`.server_groups`, :mod:`.usage` (tenant usage, audit log),
:mod:`.migrations`, :mod:`.external_events` and
:mod:`.volume_proxy` (``/os-volumes``, ``/os-snapshots``)."""

from __future__ import annotations

from collections.abc import Sequence

from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_plugins.nova.aggregates import AggregatesController
from trio2o_plugins.nova.external_events import ExternalEventsController
from trio2o_plugins.nova.flavors import FlavorsController
from trio2o_plugins.nova.hosts import HostsController
from trio2o_plugins.nova.keypairs import KeyPairsController
from trio2o_plugins.nova.legacy_hosts import LegacyHostsController
from trio2o_plugins.nova.limits import LimitsController
from trio2o_plugins.nova.migrations import MigrationsController
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.server_groups import ServerGroupsController
from trio2o_plugins.nova.usage import UsageController
from trio2o_plugins.nova.volume_proxy import VolumeProxyController
from trio2o_plugins.nova.zones import ZonesController

FAMILIES = (PodResources, FlavorsController, AggregatesController,
            ZonesController, KeyPairsController, LimitsController,
            HostsController,
            LegacyHostsController, ServerGroupsController, UsageController,
            MigrationsController, ExternalEventsController,
            VolumeProxyController)


class ResourcesController:
    """The routes of every resource family."""

    def __init__(self, service: ServiceDriver) -> None:
        self.families = [family(service.gateway) for family in FAMILIES]

    def routes(self) -> Sequence[Route]:
        return [route for family in self.families
                for route in family.routes()]
