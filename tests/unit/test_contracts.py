"""The built-in plugins pass the contract tests plugin packages run."""

from __future__ import annotations

from importlib import metadata

from trio2o_core.plugin import ServiceDriver
from trio2o_core.testing.contract import ActionHandlerContract
from trio2o_core.testing.contract import ServiceDriverContract
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder.actions.dispatch import GROUP as VOLUME_GROUP
from trio2o_plugins.cinder.service import CinderService
from trio2o_plugins.glance.service import GlanceService
from trio2o_plugins.nova.actions.dispatch import GROUP as SERVER_GROUP
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


for _entry in [*metadata.entry_points(group=SERVER_GROUP),
               *metadata.entry_points(group=VOLUME_GROUP)]:
    _name = 'TestAction_' + _entry.group.split('.')[1] + '_' + \
        _entry.name.replace('-', '_')
    globals()[_name] = type(_name, (ActionHandlerContract,),
                            {'handler': _entry.load()()})
