"""``createImage`` and ``createBackup``.

From 2.45 both answer ``{"image_id": ...}`` (relayed as the pod wrote
it). Before, they answer with a ``Location`` and no body: createImage's
points at the image in the gateway's image service
(``<gateway>/image/v2/images/<id>``, a URL a client can GET; Nova's own
is its Glance endpoint without a version, and clients read only the last
segment), createBackup's is the pod's compute URL rewritten to the
gateway (``<gateway>/compute/v2.1/images/<id>``), as Nova writes it.

The image of a volume-backed server names volume snapshots Nova made in
the server's pod (its ``block_device_mapping`` property); createImage
routes them to that pod, so the block-storage API reaches them. Whether
the server is volume-backed is read before the action, so the image of
any other server is answered as soon as the pod answers (a client
watching the new image's first states sees them as it would at the pod).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import Conflict
from trio2o_core.plugin import PodAnswer
from trio2o_core.plugin import gateway_url
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.schemas import images as schemas

#: where the gateway serves the image API, below its root
IMAGE_SERVICE_PATH = '/image/v2/images'
#: the last version serving the image proxy, which shows an image's
#: properties
IMAGE_PROXY_VERSION = '2.35'
SNAPSHOT = 'snapshot'


def image_url(request: webob.Request, image_id: str) -> str:
    """Return the gateway's URL of an image."""
    url = gateway_url(request)
    mount = request.script_name.rstrip('/')
    if mount and url.endswith(mount):
        url = url[:-len(mount)]
    return f'{url}{IMAGE_SERVICE_PATH}/{image_id}'


def snapshot_ids(image: Mapping[str, Any]) -> list[str]:
    """The volume snapshot ids an image's ``block_device_mapping``
    property (a JSON list, as Nova writes it) names."""
    raw = (image.get('metadata') or {}).get('block_device_mapping')
    try:
        mappings = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    if not isinstance(mappings, list):
        return []
    return [mapping['snapshot_id'] for mapping in mappings
            if isinstance(mapping, dict)
            and isinstance(mapping.get('snapshot_id'), str)]


def route_snapshots(ctx: ActionContext, image_id: str) -> None:
    """Route the volume snapshots the new image names to the server's
    pod (those already routed are left as they are); an image the pod
    cannot show routes nothing."""
    reply = ctx.call('GET', f'/images/{image_id}',
                     microversion=IMAGE_PROXY_VERSION)
    if reply.status_code != 200:
        return
    image = reply.json().get('image')
    for snapshot_id in snapshot_ids(image if isinstance(image, dict)
                                    else {}):
        if ctx.gateway.lookup(ctx.context, snapshot_id,
                              SNAPSHOT) is not None:
            continue
        try:
            ctx.gateway.record(ctx.context, snapshot_id, SNAPSHOT,
                               ctx.routing.pod, bottom_id=snapshot_id,
                               status='active')
        except Conflict:
            continue


def volume_backed(ctx: ActionContext) -> bool:
    """Whether the server boots from a volume (Nova shows no image for
    it); a server the pod cannot show is taken as not."""
    reply = ctx.call('GET', f'/servers/{ctx.routing.bottom_id}')
    if reply.status_code != 200:
        return False
    server = reply.json().get('server')
    return isinstance(server, dict) and not server.get('image')


class CreateImage(PodAction):
    """``createImage``: ``{"name", "metadata"}``."""

    schemas = ((None, None, schemas.CREATE_IMAGE),)

    def handle(self, ctx: ActionContext,
               body: Mapping[str, Any]) -> ActionResult:
        backed = volume_backed(ctx)
        answer = self.post(ctx, body)
        if answer.status >= 300:
            return answer
        location = answer.response.headers.get('Location')
        if not location:
            try:
                made = answer.response.json()
            except ValueError:
                return answer
            if backed and isinstance(made, dict) and isinstance(
                    made.get('image_id'), str):
                route_snapshots(ctx, made['image_id'])
            return answer
        image_id = location.rstrip('/').rsplit('/', 1)[-1]
        if backed:
            route_snapshots(ctx, image_id)
        return PodAnswer.of(answer.response, {
            'Location': image_url(ctx.request, image_id)})


class CreateBackup(PodAction):
    """``createBackup``: ``{"name", "backup_type", "rotation",
    "metadata"}``."""

    schemas = ((None, None, schemas.CREATE_BACKUP),)
