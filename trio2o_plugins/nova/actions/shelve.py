"""``unshelve`` (``shelve`` and ``shelveOffload`` take any body: they are
plain pod actions, and an offloaded server stays routed to its pod)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import Conflict
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import shelve as schemas

#: the first version whose body names an availability zone
AZ_VERSION = APIVersion(2, 77)


class Unshelve(PodAction):
    """``unshelve``, into the zone users name.

    A server is unshelved inside its own pod: a zone that pod serves is
    sent as the pod's internal name; a zone only other pods serve is
    refused with 409, since the server cannot move between pods; any
    other name goes to the pod, which rejects zones it does not have.
    """

    schemas = (
        ('2.77', '2.90', schemas.UNSHELVE_V277),
        ('2.91', None, schemas.UNSHELVE_V291),
    )

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        value = body['unshelve']
        zone = value.get('availability_zone') if isinstance(
            value, dict) else None
        if zone and APIVersion.parse(ctx.microversion) >= AZ_VERSION:
            body = {'unshelve': {**value,
                                 'availability_zone': self._pod_zone(ctx,
                                                                     zone)}}
        return self.post(ctx, body)

    @staticmethod
    def _pod_zone(ctx: ActionContext, zone: str) -> str:
        """Return the name the server's pod knows ``zone`` by.

        :raises Conflict: only other pods serve ``zone``.
        """
        pod = ctx.routing.pod
        if zone == pod.az_name:
            return pod.pod_az_name or zone
        if any(other.az_name == zone for other in ctx.gateway.list_pods()):
            raise Conflict(
                f'Unshelving server {ctx.routing.top_id} to availability '
                f'zone {zone} is not supported: that zone is served by '
                'another pod.')
        return zone
