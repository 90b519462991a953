"""``changePassword``."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import password as schemas


class ChangePassword(PodAction):
    """``changePassword``: ``{"adminPass": ...}``."""

    schemas = ((None, None, schemas.CHANGE_PASSWORD),)
