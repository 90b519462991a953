"""The built-in plugins pass the contract tests plugin packages run."""

from __future__ import annotations

from importlib import metadata

from trio2o_core.plugin import ServiceDriver
from trio2o_core.testing.contract import ActionHandlerContract
from trio2o_core.testing.contract import ServiceDriverContract
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder.service import CinderService
from trio2o_plugins.glance.service import GlanceService
from trio2o_plugins.nova.actions.dispatch import GROUP
from trio2o_plugins.nova.service import NovaService


class TestNovaService(ServiceDriverContract):
    def make_driver(self, gateway: FakeGateway) -> ServiceDriver:
        return NovaService(gateway)


class TestCinderService(ServiceDriverContract):
    def make_driver(self, gateway: FakeGateway) -> ServiceDriver:
        return CinderService(gateway)


class TestGlanceService(ServiceDriverContract):
    def make_driver(self, gateway: FakeGateway) -> ServiceDriver:
        return GlanceService(gateway)


for _entry in metadata.entry_points(group=GROUP):
    _name = 'TestAction_' + _entry.name.replace('-', '_')
    globals()[_name] = type(_name, (ActionHandlerContract,),
                            {'handler': _entry.load()()})
