"""Contract tests a plugin package mixes into its own test classes.

Each mixin is a plain class whose ``test_*`` methods pytest collects once
it is mixed into a ``Test*`` class that names the plugin under test::

    class TestTeleport(ActionHandlerContract):
        handler = Teleport()

    class TestWidgets(ServiceDriverContract):
        def make_driver(self, gateway):
            return WidgetService(gateway)
"""

from __future__ import annotations

import re
from typing import ClassVar

from jsonschema import validators

from trio2o_core.plugin import PLUGIN_API_VERSION
from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import VolumeActionHandler
from trio2o_core.testing.client import Client
from trio2o_core.testing.fakes import FakeGateway

#: what must never reach a client in a fault body: a class, a module path
#: or a traceback
LEAK = re.compile(r"<class '|Traceback|\b\w+(Error|Exception)\b|\w+\.py\b")


def _versions(*texts: str | None) -> list[APIVersion]:
    return [APIVersion.parse(text) for text in texts if text is not None]


class ActionHandlerContract:
    """Checks any server or volume action handler must pass."""

    handler: ClassVar[ServerActionHandler | VolumeActionHandler]

    def test_declares_the_plugin_api(self) -> None:
        assert self.handler.plugin_api == PLUGIN_API_VERSION

    def test_microversion_range_is_well_formed(self) -> None:
        low, high = self.handler.min_version, self.handler.max_version
        versions = _versions(low, high)
        if low is not None and high is not None:
            assert versions[0] <= versions[1]

    def test_schemas_are_well_formed(self) -> None:
        for low, high, schema in self.handler.schemas:
            _versions(low, high)
            validators.validator_for(schema).check_schema(schema)

    def test_policy_rule_is_named(self) -> None:
        rule = self.handler.policy_rule
        assert rule is None or (isinstance(rule, str) and rule.strip())


class ServiceDriverContract:
    """Checks any service driver must pass, run through the core's router
    over a :class:`FakeGateway`."""

    def make_driver(self, gateway: FakeGateway) -> ServiceDriver:
        """Return the driver under test, built on ``gateway``."""
        raise NotImplementedError

    def client(self) -> Client:
        return Client(self.make_driver(FakeGateway(pods=2)))

    def test_declares_the_plugin_api(self) -> None:
        driver = self.make_driver(FakeGateway(pods=0))
        assert driver.plugin_api == PLUGIN_API_VERSION
        assert driver.prefix and '/' not in driver.prefix
        assert isinstance(driver.api, ServiceAPI)

    def test_microversions_are_well_formed(self) -> None:
        spec = self.make_driver(FakeGateway(pods=0)).api.microversions
        if spec is not None:
            assert spec.minimum <= spec.known_maximum

    def test_routes_are_callable_and_unique(self) -> None:
        routes = self.make_driver(FakeGateway(pods=0)).routes()
        paths = [route.path for route in routes]
        assert len(paths) == len(set(paths))
        for route in routes:
            assert route.path.startswith('/')
            assert route.methods
            assert all(callable(handler)
                       for handler in route.methods.values())

    def test_faults_name_no_code(self) -> None:
        client = self.client()
        for reply in (client.get('/no/such/path'),
                      client.request('PATCH', '/')):
            assert reply.status in (404, 405)
            assert not LEAK.search(str(reply.body)), reply.body
