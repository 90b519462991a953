"""Fixtures of the block-storage driver's tests: two fake Cinder pods
behind a fake gateway, and a member's client through the real router."""

from __future__ import annotations

import pytest

from tests.unit.cinder.fakes import CinderGateway
from trio2o_core.testing.client import Client
from trio2o_plugins.cinder.service import CinderService


@pytest.fixture
def gateway() -> CinderGateway:
    return CinderGateway(pods=2)


@pytest.fixture
def client(gateway: CinderGateway) -> Client:
    return Client(CinderService(gateway))
