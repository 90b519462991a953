"""The federated local cloud (Pod1 shared, Pod2 federated) and its
gateway, as in the functional tests of federated pods."""

from tests.functional.federation.conftest import gateway  # noqa: F401
from tests.functional.federation.conftest import local_cloud  # noqa: F401
