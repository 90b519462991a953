"""``lock`` (``unlock`` takes any body: it is a plain pod action)."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import lock as schemas


class Lock(PodAction):
    """``lock``: any body before 2.73; from 2.73 ``null`` or
    ``{"locked_reason": ...}``."""

    schemas = (('2.73', None, schemas.LOCK_V273),)
