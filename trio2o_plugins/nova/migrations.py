"""``GET /os-migrations`` (admin): every up pod's migrations, newest
first (by creation time, then id, as Nova sorts them), compute host
names followed by ``@<pod name>``. Filters and paging parameters apply
per pod; the merged answer carries no next links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import host_in

#: the keys of a migration naming a compute host
HOST_KEYS = ('source_compute', 'dest_compute')


class MigrationsController(PodResources):
    """``/os-migrations`` merged over the pods."""

    def routes(self) -> Sequence[Route]:
        return [Route('/v2.1/os-migrations', {'GET': self.index})]

    def index(self, request: webob.Request) -> webob.Response:
        """``GET /os-migrations``: every up pod's, newest first."""
        caller, gathered, refused = self._gathered(
            request, self.gateway.list_pods(), 'os-migrations')
        if refused is not None:
            return refused
        migrations: list[dict[str, Any]] = []
        for pod, answer in gathered.items():
            for migration in answer.json().get('migrations', []):
                for key in HOST_KEYS:
                    if key in migration:
                        migration[key] = host_in(migration[key], pod)
                migrations.append(caller.translate(pod, migration))
        migrations.sort(key=lambda m: (str(m.get('created_at')),
                                       m.get('id') or 0), reverse=True)
        return forward.merged({'migrations': migrations}, gathered)
