"""Limits: the first pod's document, with the instances, cores, RAM and
server groups the project may use and uses summed over the up pods (each
pod enforces its own quota)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import webob

from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources

#: limits summed over pods: maximum -> use
SUMMED_LIMITS = {'maxTotalInstances': 'totalInstancesUsed',
                 'maxTotalCores': 'totalCoresUsed',
                 'maxTotalRAMSize': 'totalRAMUsed',
                 'maxServerGroups': 'totalServerGroupsUsed'}

class LimitsController(PodResources):
    """``GET /limits`` summed over the pods."""

    def routes(self) -> Sequence[Route]:
        return [
            Route('/v2.1/limits', {'GET': self.limits}),
        ]

    def limits(self, request: webob.Request) -> webob.Response:
        """``GET /limits``: the first up pod's limits, with the summed
        ones (:data:`SUMMED_LIMITS`) added up over every up pod."""
        pods = self._up_pods()
        _, gathered, refused = self._gathered(request, pods, 'limits')
        if refused is not None:
            return refused
        if not gathered.ok:
            raise PodUnavailable(pods[0].name)
        documents = [answer.json() for _, answer in gathered.items()]
        body = copy.deepcopy(documents[0])
        absolute = body.get('limits', {}).get('absolute', {})
        for maximum, used in SUMMED_LIMITS.items():
            for name in (maximum, used):
                values = [doc['limits']['absolute'][name]
                          for doc in documents
                          if name in doc.get('limits', {}).get(
                              'absolute', {})]
                if name in absolute and values:
                    absolute[name] = (-1 if -1 in values and name == maximum
                                      else sum(values))
        return forward.merged(body, gathered)
