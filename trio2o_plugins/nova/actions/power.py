"""``os-start``, ``os-stop`` and ``reboot``."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import power as schemas


class PowerAction(PodAction):
    """``os-start`` / ``os-stop``: Nova finds these servers through their
    cell mapping first, so an unknown id is reported that way."""

    not_found = 'Instance {id} has no mapping to a cell.'


class Reboot(PodAction):
    """``reboot``: ``{"type": "SOFT"|"HARD"}``."""

    schemas = ((None, None, schemas.REBOOT),)
