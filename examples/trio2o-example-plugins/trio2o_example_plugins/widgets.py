"""A service driver: ``/widgets`` lists the widgets of every pod, merged
(a pod that cannot answer is named in ``X-Trio2o-Partial``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceAPI
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import json_response


class WidgetService(ServiceDriver):
    """Serves ``/widgets/v1/widgets`` from the pods' compute endpoint."""

    prefix = 'widgets'
    api = ServiceAPI(catalog_service='compute', version_suffix=r'/v2\.1')

    def routes(self) -> Sequence[Route]:
        return [Route('/v1/widgets', {'GET': self.list_widgets})]

    def list_widgets(self, request: webob.Request) -> webob.Response:
        """Every up pod's widgets, in pod order."""
        pods = self.pods(request)

        def fetch(pod: Pod) -> list[dict[str, Any]]:
            body = pods.json(pod, '/widgets')
            return [pods.translate(pod, widget)
                    for widget in body['widgets']]

        gathered = pods.gather(self.gateway.list_pods(), fetch)
        for refused in gathered.refused.values():
            return pods.relay(refused.pod, refused.reply)
        widgets = [widget for _, found in gathered.items()
                   for widget in found]
        response = json_response({'widgets': widgets})
        gathered.mark_partial(response)
        return response
