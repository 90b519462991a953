"""How the reconciler reads a Nova pod: servers listed once with
``all_tenants`` (page by page), then looked up one by one when not
listed; a server counts as gone only when Nova answers its 404
``itemNotFound`` or shows it ``DELETED``."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodGet
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin import Reconciler
from trio2o_core.plugin import ResourceState
from trio2o_plugins.nova import forward

#: servers asked for per page of a pod's server list
PAGE_SIZE = 1000


class ServerReconciler(Reconciler):
    """Settles ``server`` rows (and ``server_request`` rows)."""

    resource_type = forward.RESOURCE
    catalog_service = 'compute'

    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        return PodServers(pod, get)


class PodServers(PodInventory):
    """One pod's servers of every project, as its compute API tells
    them."""

    def __init__(self, pod: Pod, get: PodGet) -> None:
        self._pod = pod
        self._get = get
        self._listed: dict[str, dict[str, Any]] | None = None

    def listed(self) -> Mapping[str, dict[str, Any]]:
        """Return every server the pod lists, by id, paging through.

        :raises PodUnreadable: a page cannot be had.
        """
        if self._listed is None:
            listed: dict[str, dict[str, Any]] = {}
            marker = None
            while True:
                params = [('all_tenants', '1'), ('limit', str(PAGE_SIZE))]
                if marker is not None:
                    params.append(('marker', marker))
                reply = self._get('/servers/detail', params)
                body = _json_object(reply)
                page = body.get('servers') if body is not None else None
                if reply.status_code != 200 or not isinstance(page, list):
                    raise self._unexpected('/servers/detail', reply)
                listed.update((server['id'], server) for server in page)
                if not page or not body or not body.get('servers_links'):
                    break
                marker = page[-1]['id']
            self._listed = listed
        return self._listed

    def state(self, resource_id: str) -> ResourceState:
        server = self.listed().get(resource_id)
        if server is None:
            path = f'/servers/{resource_id}'
            reply = self._get(path, [])
            body = _json_object(reply)
            if (reply.status_code == 404 and body is not None
                    and 'itemNotFound' in body):
                return ResourceState.GONE
            server = body.get('server') if body is not None else None
            if reply.status_code != 200 or not isinstance(server, dict):
                raise self._unexpected(path, reply)
        if _is_deleted(server):
            return ResourceState.GONE
        if (server.get('OS-EXT-STS:task_state') == 'deleting'
                or server.get('status') == 'SOFT_DELETED'):
            return ResourceState.DELETING
        return ResourceState.PRESENT

    def made(self, project_id: str, since: datetime.datetime,
             until: datetime.datetime) -> list[str]:
        # Nova tells creation times to the second: a server made in the
        # second of ``since`` counts, one made in the second of ``until``
        # may be a call's in flight
        since = since.replace(microsecond=0)
        until = until.replace(microsecond=0)
        made = []
        for server in self.listed().values():
            created = _created(server)
            if (server.get('tenant_id') == project_id
                    and not _is_deleted(server) and created is not None
                    and since <= created < until):
                made.append(server['id'])
        return made

    def _unexpected(self, path: str, reply: PodReply) -> PodUnreadable:
        return PodUnreadable(f'{self._pod.name} answered GET {path} with '
                             f'HTTP {reply.status_code} and no expected '
                             'body')


def _json_object(reply: PodReply) -> dict[str, Any] | None:
    """Return the answer's body if it is a JSON object, else None."""
    try:
        body = reply.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _created(server: Mapping[str, Any]) -> datetime.datetime | None:
    """Return the server's ``created`` as aware UTC, None if unreadable."""
    try:
        created = datetime.datetime.fromisoformat(server['created'])
    except (KeyError, TypeError, ValueError):
        return None
    if created.tzinfo is None:
        return created.replace(tzinfo=datetime.UTC)
    return created


def _is_deleted(server: Mapping[str, Any]) -> bool:
    return (server.get('status') == 'DELETED'
            or server.get('OS-EXT-STS:vm_state') == 'deleted')
