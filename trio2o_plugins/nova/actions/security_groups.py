"""``addSecurityGroup`` and ``removeSecurityGroup``."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import security_groups as schemas


class SecurityGroupAction(PodAction):
    """``addSecurityGroup`` / ``removeSecurityGroup``: ``{"name": ...}``,
    the group being the pod's."""

    schemas = ((None, None, schemas.SECURITY_GROUP),)
