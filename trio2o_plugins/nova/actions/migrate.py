"""``migrate`` and ``os-migrateLive``.

Both stay inside the pod that owns the server: the body goes to that pod
unchanged, so a ``host`` the pod does not have is the pod's own error.
"""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import migrate as schemas


class Migrate(PodAction):
    """``migrate``: not validated before 2.56; then ``null`` or
    ``{"host": ...}``."""

    schemas = (('2.56', None, schemas.MIGRATE_V256),)


class LiveMigrate(PodAction):
    """``os-migrateLive``, with the body of each microversion."""

    schemas = (
        (None, '2.24', schemas.MIGRATE_LIVE),
        ('2.25', '2.29', schemas.MIGRATE_LIVE_V225),
        ('2.30', '2.67', schemas.MIGRATE_LIVE_V230),
        ('2.68', None, schemas.MIGRATE_LIVE_V225),
    )
