"""``rebuild``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PodAnswer
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import rebuild as schemas

#: the pod's image API (``/images/{id}``) exists up to 2.35
IMAGE_API_VERSION = '2.1'


class Rebuild(PodAction):
    """``rebuild``: the image must exist for the server's pod.

    The gateway asks the owning pod for ``imageRef`` before forwarding;
    an unknown one is Nova's 400 ``Cannot find image for rebuild``. The
    pod's 202 carries the server and a ``Location``, both with hrefs at
    the gateway and the zone users see.
    """

    schemas = (
        (None, '2.18', schemas.REBUILD),
        ('2.19', '2.53', schemas.REBUILD_V219),
        ('2.54', '2.56', schemas.REBUILD_V254),
        ('2.57', '2.62', schemas.REBUILD_V257),
        ('2.63', '2.89', schemas.REBUILD_V263),
        ('2.90', '2.93', schemas.REBUILD_V290),
        ('2.94', None, schemas.REBUILD_V294),
    )

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        image_id = body['rebuild']['imageRef']
        response = ctx.call('GET', f'/images/{image_id}',
                            microversion=IMAGE_API_VERSION)
        if response.status_code == 404:
            raise BadRequest('Cannot find image for rebuild')
        if response.status_code != 200:
            return PodAnswer.of(response)
        return self.post(ctx, body)
