"""``os-resetState`` and ``resetNetwork`` (``injectNetworkInfo`` takes
any body: it is a plain pod action)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import PluginError
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import admin as schemas


class Gone(PluginError):
    """The API no longer exists (410)."""

    code = 410


class ResetState(PodAction):
    """``os-resetState``: ``{"state": "active"|"error"}``."""

    schemas = ((None, None, schemas.RESET_STATE),)


class ResetNetwork(PodAction):
    """``resetNetwork``: removed from Nova, always 410 before any
    lookup."""

    def before_lookup(self, server_id: str,
                      body: Mapping[str, Any]) -> None:
        raise Gone('This resource is no longer available. No forwarding '
                   'address is given.')
