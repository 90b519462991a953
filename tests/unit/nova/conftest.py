"""Fixtures of the compute driver's tests: three fake Nova pods behind a
fake gateway, and clients sending requests through the real driver."""

from __future__ import annotations

import pytest

from tests.unit.nova import fakes
from trio2o_plugins.nova.service import NovaService


@pytest.fixture
def gateway() -> fakes.NovaGateway:
    """Pods ``Pod1``..``Pod3`` serving zones ``az1``..``az3`` (inside:
    ``pod1-zone``..)."""
    return fakes.NovaGateway(pods=3)


@pytest.fixture
def service(gateway: fakes.NovaGateway) -> NovaService:
    return NovaService(gateway)


@pytest.fixture
def client(service: NovaService) -> fakes.Client:
    """A member of ``PROJECT``."""
    return fakes.Client(service)


@pytest.fixture
def admin(service: NovaService) -> fakes.Client:
    """An admin of its own project."""
    return fakes.Client(service, fakes.ADMIN_PROJECT, admin=True)
