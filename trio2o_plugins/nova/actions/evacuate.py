"""``evacuate`` (admin): to a host of the same pod, or where the pod's
scheduler picks."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import evacuate as schemas


class Evacuate(PodAction):
    """``evacuate``, with the body of each microversion."""

    schemas = (
        (None, '2.13', schemas.EVACUATE),
        ('2.14', '2.28', schemas.EVACUATE_V214),
        ('2.29', '2.67', schemas.EVACUATE_V229),
        ('2.68', None, schemas.EVACUATE_V214),
    )
