"""Where a new server goes: the pod of the volumes it boots from, of the
server group its hints name, or the scheduler's pick among the pods that
have its flavor; and the zone the chosen pod knows it by."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_plugins.nova import forward
from trio2o_plugins.nova import volumes

#: the routing type of server groups
GROUP_RESOURCE = 'server_group'


def hints(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The scheduler hints of a create body (either spelling)."""
    return (body.get('os:scheduler_hints')
            or body.get('OS-SCH-HNT:scheduler_hints') or {})


def place(gateway: Gateway, request: webob.Request,
          body: Mapping[str, Any]) -> tuple[Pod, bool]:
    """Pick the pod: the one of the volumes or snapshots the server
    boots from, else the one of the server group named in the scheduler
    hints (which the pod-naming hints must agree with), else the
    scheduler's choice for the zone; say whether the scheduler chose it.

    :raises BadRequest: the zone has no pod, or differs from the
        volumes' or the group's; the hints name another pod than the
        group's.
    :raises PodUnavailable: the group's pod is down.
    """
    context = request.context
    zone = body['server'].get('availability_zone')
    az = (zone.partition(':')[0] or None) if zone else None
    pod = volumes.boot_pod(gateway, request, body['server'], az)
    if pod is not None:
        return pod, False
    hinted_by = hints(body)
    groups = hinted_by.get('group')
    for group_id in [groups] if isinstance(groups, str) else groups or []:
        routing = gateway.lookup(context, group_id, GROUP_RESOURCE)
        if routing is None:
            continue
        if az is not None and routing.pod.az_name != az:
            raise BadRequest(
                f'The server group {group_id} is not in availability '
                f'zone {az}.')
        hinted = gateway.hinted_pod(context, hinted_by)
        if hinted is not None and hinted.id != routing.pod.id:
            raise BadRequest(
                f'The scheduler hints name pod {hinted.name}, the '
                f'server group {group_id} is in pod '
                f'{routing.pod.name}.')
        if gateway.is_down(routing.pod):
            raise PodUnavailable(routing.pod.name)
        return routing.pod, False
    # a pod the hints name is no binding's: no retry elsewhere
    return (schedule(gateway, request, body),
            gateway.hinted_pod(context, hinted_by) is None)


def schedule(gateway: Gateway, request: webob.Request,
             body: Mapping[str, Any], refused: Pod | None = None) -> Pod:
    """The scheduler's pick for the server (see ``Gateway.schedule``);
    candidates must have the flavor.

    :raises BadRequest: no pod answered that it has the flavor.
    :raises NoValidPod: no pod can take the server.
    """
    server = body['server']
    zone = server.get('availability_zone')
    az = (zone.partition(':')[0] or None) if zone else None
    flavor = str(server['flavorRef']).rstrip('/').rpartition('/')[2]
    image = server.get('imageRef')
    pods = forward.pods(gateway, request)
    answered: dict[str, bool] = {}

    def offers(pod: Pod) -> bool:
        path = 'flavors/' + urllib.parse.quote(flavor, '')
        try:
            status = pods.call(pod, 'GET', path).status_code
        except PodUnavailable:
            return False
        answered[pod.id] = status == 200
        return answered[pod.id]

    try:
        return gateway.schedule(
            request.context, forward.RESOURCE, az, flavor=flavor,
            image=str(image).rstrip('/').rpartition('/')[2] if image
            else None, hints=hints(body), offers=offers,
            refused=refused)
    except NoValidPod:
        if answered and not any(answered.values()):
            # as Nova answers a flavor it does not have
            raise BadRequest(
                f'Flavor {flavor} could not be found.') from None
        raise


def rewrite_zone(server: dict[str, Any], pod: Pod) -> None:
    """Name the pod's own zone instead of the users' one, keeping a
    forced ``:host[:node]`` part."""
    zone = server.get('availability_zone')
    if not zone:
        return
    az, sep, rest = zone.partition(':')
    if not az:
        return
    if pod.pod_az_name:
        server['availability_zone'] = pod.pod_az_name + sep + rest
    elif sep:
        server['availability_zone'] = sep + rest
    else:
        del server['availability_zone']
