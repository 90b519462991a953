"""``resize`` (``confirmResize`` and ``revertResize`` take any body: they
are plain pod actions)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PodAnswer
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import resize as schemas


class Resize(PodAction):
    """``resize``: the flavor must exist in the server's pod.

    Flavors are per pod, so the gateway asks the owning pod for
    ``flavorRef`` (an id: Nova reads no URL here) before forwarding; an
    unknown one is Nova's 400 ``Flavor <id> could not be found.``.
    """

    schemas = ((None, None, schemas.RESIZE),)

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        flavor_id = str(body['resize']['flavorRef'])
        response = ctx.call(
            'GET', f'/flavors/{urllib.parse.quote(flavor_id, "")}')
        if response.status_code == 404:
            raise BadRequest(f'Flavor {flavor_id} could not be found.')
        if response.status_code != 200:
            return PodAnswer.of(response)
        return self.post(ctx, body)
