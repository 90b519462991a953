"""Fixtures of the scheduling tests against the real pods: the users'
connections through the gateway, as the Nova and Cinder tests have
them."""

from tests.functional.nova.conftest import admin  # noqa: F401
from tests.functional.nova.conftest import alt  # noqa: F401
from tests.functional.nova.conftest import demo  # noqa: F401
