"""Volumes on the compute side: a server and its volumes share a pod.

A volume or snapshot the gateway routed (by the block-storage driver,
routing types ``volume`` and ``snapshot``) lives in one pod, and a pod's
Nova can only use its own Cinder: an attachment must name a volume of
the server's pod, and a server booted from a volume or snapshot is made
in that volume's pod. Volumes the gateway does not know are left to the
pod, which answers for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Conflict
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing

#: ``source_type`` of a block device mapping -> the routing type
SOURCE_TYPES = {'volume': 'volume', 'snapshot': 'snapshot'}


def check_attachment(gateway: Gateway, request: webob.Request,
                     server: Routing, body: Any) -> None:
    """Refuse a ``volumeAttachment`` naming a volume routed to another pod
    than the server's.

    :raises Conflict: the volume is in another pod.
    """
    attachment = (body.get('volumeAttachment')
                  if isinstance(body, dict) else None)
    volume_id = (attachment.get('volumeId')
                 if isinstance(attachment, dict) else None)
    if not isinstance(volume_id, str):
        return
    routing = gateway.lookup(request.context, volume_id, 'volume')
    if routing is not None and routing.pod.id != server.pod.id:
        raise Conflict(f'Volume {volume_id} cannot be attached to server '
                       f'{server.top_id}: a volume cannot be attached to a '
                       'server of another pod.')


def boot_pod(gateway: Gateway, request: webob.Request,
             server: Mapping[str, Any], zone: str | None) -> Pod | None:
    """Return the pod holding the volumes and snapshots the server boots
    from or attaches (``block_device_mapping_v2``), None when it names
    none the gateway routed.

    :raises BadRequest: ``zone`` is not their zone, or they are in
        different pods.
    :raises PodUnavailable: their pod is down.
    """
    pods: dict[str, Pod] = {}
    for mapping in server.get('block_device_mapping_v2') or ():
        kind = SOURCE_TYPES.get(mapping.get('source_type'))
        source_id = mapping.get('uuid')
        if kind is None or not isinstance(source_id, str):
            continue
        routing = gateway.lookup(request.context, source_id, kind)
        if routing is not None:
            pods[routing.pod.id] = routing.pod
    if not pods:
        return None
    zones = sorted({pod.az_name or '' for pod in pods.values()})
    if len(pods) > 1:
        raise BadRequest('The volumes of a server must be in one pod. '
                         f'Volumes are in: {", ".join(zones)}')
    if zone is not None and zones != [zone]:
        raise BadRequest(
            'Server and volumes are not in the same availability zone. '
            f'Server is in: {zone}. Volumes are in: {", ".join(zones)}')
    (pod,) = pods.values()
    if gateway.is_down(pod):
        raise PodUnavailable(pod.name)
    return pod
