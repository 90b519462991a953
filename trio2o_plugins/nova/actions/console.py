"""``os-getConsoleOutput`` and the remote consoles Nova serves up to 2.5
(later versions use ``POST /servers/{id}/remote-consoles``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import BadRequest
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import console as schemas

#: webob's default 400 text, which Nova sends for the removed RDP console
GENERIC_BAD_REQUEST = ('The server could not comply with the request since '
                       'it is either malformed or otherwise incorrect.')


class GetConsoleOutput(PodAction):
    """``os-getConsoleOutput``: ``{"length": ...}``; 200 with the
    output."""

    schemas = ((None, None, schemas.GET_CONSOLE_OUTPUT),)


class _RemoteConsole(PodAction):
    max_version = '2.5'


class GetVNCConsole(_RemoteConsole):
    """``os-getVNCConsole``."""

    schemas = ((None, None, schemas.GET_VNC_CONSOLE),)


class GetSPICEConsole(_RemoteConsole):
    """``os-getSPICEConsole``."""

    schemas = ((None, None, schemas.GET_SPICE_CONSOLE),)


class GetSerialConsole(_RemoteConsole):
    """``os-getSerialConsole``."""

    schemas = ((None, None, schemas.GET_SERIAL_CONSOLE),)


class GetRDPConsole(_RemoteConsole):
    """``os-getRDPConsole``: removed from Nova, always 400 before any
    lookup."""

    def before_lookup(self, server_id: str,
                      body: Mapping[str, Any]) -> None:
        raise BadRequest(GENERIC_BAD_REQUEST)
