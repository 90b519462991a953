"""``trigger_crash_dump`` (2.17+)."""

from __future__ import annotations

from trio2o_plugins.nova.actions.power import PowerAction
from trio2o_plugins.nova.schemas import crash_dump as schemas


class TriggerCrashDump(PowerAction):
    """``trigger_crash_dump``: the body must be ``null``."""

    min_version = '2.17'
    schemas = ((None, None, schemas.TRIGGER_CRASH_DUMP),)
