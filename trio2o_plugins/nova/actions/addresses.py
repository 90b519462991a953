"""Fixed and floating IP actions, which Nova serves up to 2.43."""

from __future__ import annotations

from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import addresses as schemas


class _AddressAction(PodAction):
    max_version = '2.43'


class AddFixedIp(_AddressAction):
    """``addFixedIp``: ``{"networkId": ...}``."""

    schemas = ((None, None, schemas.ADD_FIXED_IP),)


class RemoveFixedIp(_AddressAction):
    """``removeFixedIp``: ``{"address": ...}``."""

    schemas = ((None, None, schemas.REMOVE_FIXED_IP),)


class AddFloatingIp(_AddressAction):
    """``addFloatingIp``: ``{"address", "fixed_address"}``."""

    schemas = ((None, None, schemas.ADD_FLOATING_IP),)


class RemoveFloatingIp(_AddressAction):
    """``removeFloatingIp``: ``{"address": ...}``."""

    schemas = ((None, None, schemas.REMOVE_FLOATING_IP),)
