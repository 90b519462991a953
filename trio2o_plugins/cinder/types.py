"""``GET /v3/types`` and ``/types/{id}``: volume types read merged by
name.

Every pod has its own types, with ids of its own. The list shows each
name once, as the first pod (by name) that has it shows it; a type is
found by any pod's id. A volume is created with a type's name, which
every pod resolves to its own type; a type id of another pod is sent as
its name (:func:`pod_type`).
"""

from __future__ import annotations

import urllib.parse
import uuid
from typing import Any

import webob

from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import json_response


def list_types(pods: PodCaller, candidates: list[Pod],
               request: webob.Request) -> webob.Response:
    """Answer ``GET /types``: the types of every pod, one per name, in
    name order."""
    params = list(request.GET.items())
    gathered = pods.gather(candidates, lambda pod: pods.json(
        pod, 'types', params=params))
    if gathered.refused:
        first = min(gathered.refused.values(),
                    key=lambda refused: refused.pod.name)
        return pods.relay(first.pod, first.reply)
    by_name: dict[str, Any] = {}
    for pod, body in gathered.items():
        for volume_type in body.get('volume_types', []):
            by_name.setdefault(volume_type.get('name'),
                               pods.translate(pod, volume_type))
    response = json_response({'volume_types': [
        by_name[name] for name in sorted(by_name, key=str)]})
    gathered.mark_partial(response)
    return response


def show_type(pods: PodCaller, candidates: list[Pod],
              type_id: str) -> webob.Response:
    """Answer ``GET /types/{id}`` from the first pod that has it.

    :raises NotFound: no reachable pod has it (Cinder's message).
    """
    for pod in candidates:
        try:
            answer = pods.call(pod, 'GET', 'types/'
                               + urllib.parse.quote(type_id, ''))
        except PodUnavailable:
            continue
        if answer.status_code == 200:
            return pods.relay(pod, answer)
    raise NotFound(f'Volume type {type_id} could not be found.')


def is_id(given: str) -> bool:
    """Whether a volume type is named by its id (a UUID), not a name."""
    try:
        uuid.UUID(given)
    except ValueError:
        return False
    return True


def pod_type(pods: PodCaller, candidates: list[Pod], pod: Pod,
             given: str) -> str:
    """The volume type ``pod`` is to be given for ``given`` (a type name
    or id): ``given`` when it is a name or an id ``pod`` shows the
    caller, else the name of the type another pod shows by that id, else
    ``given`` (the pod judges it)."""
    if not is_id(given):
        return given
    path = 'types/' + urllib.parse.quote(given, '')
    for other in [pod, *(p for p in candidates if p.id != pod.id)]:
        try:
            answer = pods.call(other, 'GET', path)
        except PodUnavailable:
            continue
        if answer.status_code == 200:
            return given if other.id == pod.id else str(
                answer.json()['volume_type']['name'])
    return given
