"""The built-in volume action handlers.

Most actions need nothing of the gateway: :class:`PodVolumeAction`
posts the body to the owning pod's ``/volumes/{bottom_id}/action``, and
Cinder's own checks (policy, state, schema) answer in the pod, with
Cinder's messages. Ids in answers are the pods' (volumes keep them;
images live in the one shared image service), hrefs are rewritten to
the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import PodAnswer
from trio2o_core.plugin import VolumeActionHandler
from trio2o_plugins.cinder import routed


class PodVolumeAction(VolumeActionHandler):
    """Post the body unchanged to the volume's action URL in its pod and
    answer what the pod answers."""

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        return PodAnswer.of(ctx.call(
            'POST', routed.VOLUME.path(ctx.routing, '/action'), json=body))


class Revert(PodVolumeAction):
    """``revert`` (to the latest snapshot), which exists from 3.40."""

    min_version = '3.40'


class Reimage(PodVolumeAction):
    """``os-reimage`` (with an image of the shared image service), which
    exists from 3.68."""

    min_version = '3.68'


class Removal(PodVolumeAction):
    """``os-force_delete`` and ``os-unmanage``, after which the pod no
    longer holds the volume: once the pod accepts, the routing is marked
    ``deleting`` (removed as :func:`routed.delete` says)."""

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = super().handle(ctx, body)
        if answer.status < 300:
            ctx.gateway.set_status(ctx.routing.top_id,
                                   routed.VOLUME.resource_type, 'deleting')
        return answer
