"""``/v3/os-quota-sets/{project_id}``: a project's quotas over its pods.

The project may use one pod per availability zone, the pods ``GET
/limits`` sums (:func:`limits.project_pods`). A read asks each of them
and sums the numbers, as the limits are summed: a limit of -1
(unlimited) in any pod stays -1, usage (``in_use``, ``reserved``,
``allocated``) is added. ``per_volume_gigabytes`` caps one volume, which
lives in one pod, so it is not added: the smallest limit is shown.

A write (``PUT``, and ``DELETE``, which resets the project to the
defaults) sets the given limits in each of those pods: the limits are
per pod, the answer is the first pod's (the values it now has), and a
read shows the sums. It is made in every pod or in none
(:mod:`fanout`): a pod that fails gets the pods done set back to the
values they had.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from functools import partial
from typing import Any

import webob

from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response
from trio2o_plugins.cinder import fanout
from trio2o_plugins.cinder import limits

PREFIX = '/v3/os-quota-sets/{target_id}'
#: a limit that caps one volume: the smallest is shown, not the sum
PER_VOLUME = 'per_volume_gigabytes'


def _sum_limit(name: str, total: int, value: int) -> int:
    """Two pods' limits as one (see the module)."""
    if name == PER_VOLUME:
        limited = [number for number in (total, value) if number != -1]
        return min(limited) if limited else -1
    return -1 if -1 in (total, value) else total + value


def add_quotas(total: dict[str, Any], quotas: dict[str, Any]) -> None:
    """Add one pod's quota set to ``total`` (see the module)."""
    for name, value in quotas.items():
        if name == 'id':
            total.setdefault(name, value)
        elif name not in total:
            total[name] = dict(value) if isinstance(value, dict) else value
        elif isinstance(value, dict):
            summed = total[name]
            for field, number in value.items():
                summed[field] = (_sum_limit(name, summed[field], number)
                                 if field == 'limit' else
                                 summed.get(field, 0) + number)
        else:
            total[name] = _sum_limit(name, total[name], value)


class QuotaSets:
    """Show (summed), defaults (summed), update and reset."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway

    def routes(self) -> Sequence[Route]:
        return [
            Route(PREFIX, {'GET': self.show, 'PUT': self.update,
                           'DELETE': self.reset}),
            Route(PREFIX + '/defaults', {'GET': self.show}),
        ]

    def show(self, request: webob.Request, target_id: str) -> webob.Response:
        """``GET /os-quota-sets/{id}[/defaults]``, summed; a pod's
        refusal (403 for another project's quotas) is the answer, pods
        that cannot be reached are named in ``X-Trio2o-Partial``."""
        caller = self.service.pods(request)
        pods = limits.project_pods(self.gateway, request, target_id)
        path = self._path(request, target_id)
        params = list(request.GET.items())
        gathered = caller.gather(pods, lambda pod: caller.json(
            pod, path, params=params))
        for refused in gathered.refused.values():
            return caller.relay(refused.pod, refused.reply)
        total: dict[str, Any] = {}
        for _, body in gathered.items():
            add_quotas(total, body.get('quota_set', {}))
        response = json_response({'quota_set': total})
        gathered.mark_partial(response)
        return response

    def update(self, request: webob.Request,
               target_id: str) -> webob.Response:
        """``PUT /os-quota-sets/{id}`` in each of the project's pods."""
        body = request.json_body_or_none()
        asked = body.get('quota_set') if isinstance(body, dict) else None
        names = list(asked) if isinstance(asked, dict) else []
        return self._write(request, target_id, 'PUT', body, names,
                           'Quota set update')

    def reset(self, request: webob.Request,
              target_id: str) -> webob.Response:
        """``DELETE /os-quota-sets/{id}`` in each of the project's pods;
        undone by setting every limit back."""
        return self._write(request, target_id, 'DELETE', None, None,
                           'Quota set delete')

    def _write(self, request: webob.Request, target_id: str, method: str,
               body: Any, names: list[str] | None,
               what: str) -> webob.Response:
        """Send the write to each pod, after reading the limits the pods
        have (for the undo); ``names`` are the limits written (None:
        all)."""
        caller = self.service.pods(request)
        pods = limits.project_pods(self.gateway, request, target_id,
                                    skip_down=False)
        fanout.require_up(self.gateway, pods)
        path = self._path(request, target_id)
        gathered = caller.gather(pods, lambda pod: caller.json(pod, path))
        if gathered.missing:
            raise PodUnavailable(gathered.missing[0].name)
        for refused in gathered.refused.values():
            return caller.relay(refused.pod, refused.reply)
        steps = []
        for pod, before in gathered.items():
            old = before.get('quota_set', {})
            restore = {'quota_set': {
                name: value for name, value in old.items()
                if name != 'id' and (names is None or name in names)}}
            steps.append(fanout.Step(
                pod, partial(caller.call, pod, method, path, json=body),
                partial(caller.call, pod, 'PUT', path, json=restore)))
        return fanout.apply(caller, self.gateway, what, steps)

    @staticmethod
    def _path(request: webob.Request, target_id: str) -> str:
        path = 'os-quota-sets/' + urllib.parse.quote(target_id, safe='')
        if request.path_info.endswith('/defaults'):
            path += '/defaults'
        return path
