"""``rescue`` (``unrescue`` takes any body: it is a plain pod action)."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import rescue as schemas


class Rescue(PodAction):
    """``rescue``: ``null`` or ``{"adminPass", "rescue_image_ref"}``;
    the pod answers 200 with the password."""

    schemas = ((None, None, schemas.RESCUE),)
