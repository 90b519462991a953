"""Two actions: ``{"whereIs": null}`` on a server or a volume answers the
pod that holds it and its zone, as the gateway shows them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import VolumeActionHandler


def where_is(ctx: ActionContext, kind: str,
             **shown: str) -> ActionResult:
    """Ask the pod for the resource (``kind``: ``server`` or ``volume``)
    and answer its pod and the record's fields named by ``shown``
    (answer key -> record key), or the pod's own refusal."""
    reply = ctx.call('GET', f'/{kind}s/{ctx.routing.bottom_id}')
    if reply.status_code != 200:
        return ActionResult(reply.status_code, reply.json())
    record = reply.json()[kind]
    return ActionResult(200, {'whereIs': {
        'pod': ctx.routing.pod.name,
        **{key: record[field] for key, field in shown.items()}}})


class WhereIs(ServerActionHandler):
    """``whereIs`` (from compute 2.3): the server's pod, zone and links
    (the pod's hrefs and zone, shown by the gateway as its own)."""

    min_version = '2.3'
    schemas = ((None, None, {'type': 'null'}),)
    policy_rule = 'example:where_is'

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        return where_is(ctx, 'server',
                        availability_zone='OS-EXT-AZ:availability_zone',
                        links='links')


class VolumeWhereIs(VolumeActionHandler):
    """``whereIs`` on a volume: its pod and zone."""

    schemas = ((None, None, {'type': 'null'}),)
    policy_rule = 'example:volume_where_is'

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        return where_is(ctx, 'volume', availability_zone='availability_zone')
