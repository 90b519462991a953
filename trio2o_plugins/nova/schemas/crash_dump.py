"""Body of ``trigger_crash_dump`` (2.17+): ``null`` only."""

from trio2o_plugins.nova.schemas import common

TRIGGER_CRASH_DUMP = common.NULL
