"""``createImage`` and ``createBackup``.

From 2.45 both answer ``{"image_id": ...}`` (relayed as the pod wrote
it). Before, they answer with a ``Location`` and no body: createImage's
points at the image in the gateway's image service
(``<gateway>/image/v2/images/<id>``, a URL a client can GET; Nova's own
is its Glance endpoint without a version, and clients read only the last
segment), createBackup's is the pod's compute URL rewritten to the
gateway (``<gateway>/compute/v2.1/images/<id>``), as Nova writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import PodAnswer
from trio2o_core.plugin import gateway_url
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import images as schemas

#: where the gateway serves the image API, below its root
IMAGE_SERVICE_PATH = '/image/v2/images'


def image_url(request: webob.Request, image_id: str) -> str:
    """Return the gateway's URL of an image."""
    url = gateway_url(request)
    mount = request.script_name.rstrip('/')
    if mount and url.endswith(mount):
        url = url[:-len(mount)]
    return f'{url}{IMAGE_SERVICE_PATH}/{image_id}'


class CreateImage(PodAction):
    """``createImage``: ``{"name", "metadata"}``."""

    schemas = ((None, None, schemas.CREATE_IMAGE),)

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        answer = self.post(ctx, body)
        location = answer.response.headers.get('Location')
        if answer.status >= 300 or not location:
            return answer
        image_id = location.rstrip('/').rsplit('/', 1)[-1]
        return PodAnswer.of(answer.response, {
            'Location': image_url(ctx.request, image_id)})


class CreateBackup(PodAction):
    """``createBackup``: ``{"name", "backup_type", "rotation",
    "metadata"}``."""

    schemas = ((None, None, schemas.CREATE_BACKUP),)
