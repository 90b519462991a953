"""Calls on one routed volume, snapshot or backup, forwarded to its pod.

A routed resource keeps the id its pod gave it; a routing row (type
``volume``, ``snapshot``, ``backup`` ...) says which pod that is. Every
call on it goes to that pod as the caller, and the answer is shown with
hrefs at the gateway and the users' availability zone.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any

import webob

from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import forget_if_gone
from trio2o_core.plugin import microversion


@dataclasses.dataclass(frozen=True)
class Kind:
    """A routed resource: its routing type, its collection in the pod's
    URL, Cinder's 404 message for an unknown id and, where Cinder names
    it otherwise than ``<collection>_links``, the key of a list's next
    links."""

    resource_type: str
    collection: str
    not_found: str
    links: str = ''

    @property
    def links_key(self) -> str:
        """The key of a list's next links."""
        return self.links or f'{self.collection}_links'

    def routing(self, gateway: Gateway, request: webob.Request,
                top_id: str) -> Routing:
        """Return the routing of a resource the caller may see.

        :raises NotFound: Cinder's message, for unknown ids and other
            projects' resources.
        :raises PodUnavailable: the owning pod is down.
        """
        routing = gateway.lookup(request.context, top_id,
                                 self.resource_type)
        if routing is None:
            raise NotFound(self.not_found.format(id=top_id))
        if gateway.is_down(routing.pod):
            raise PodUnavailable(routing.pod.name)
        return routing

    def path(self, routing: Routing, suffix: str = '') -> str:
        """The resource's path in its pod, with ``suffix`` (quoted)."""
        return (f'{self.collection}/{routing.bottom_id}'
                + urllib.parse.quote(suffix, safe='/:@!$&\'()*+,;=-._~'))


VOLUME = Kind('volume', 'volumes', 'Volume {id} could not be found.')
SNAPSHOT = Kind('snapshot', 'snapshots', 'Snapshot {id} could not be found.')
BACKUP = Kind('backup', 'backups', 'Backup {id} could not be found.')
GROUP = Kind('group', 'groups', 'Group {id} could not be found.',
             'group_links')
GROUP_SNAPSHOT = Kind('group_snapshot', 'group_snapshots',
                      'GroupSnapshot {id} could not be found.',
                      'group_snapshot_links')
ATTACHMENT = Kind('attachment', 'attachments',
                  'Volume attachment could not be found with filter: '
                  'attachment_id = {id}.')


def require(request: webob.Request, version: str) -> None:
    """Answer as Cinder does below the microversion of an API.

    :raises NotFound: ``The resource could not be found.``
    """
    if not microversion.at_least(request, version):
        raise NotFound('The resource could not be found.')


def forward(pods: PodCaller, gateway: Gateway, request: webob.Request,
            kind: Kind, routing: Routing, suffix: str = '',
            body: Any = None) -> webob.Response:
    """Send the request's method, query and ``body`` to the resource's
    path (plus ``suffix``) in its pod and relay the answer. A call on
    the resource itself that the pod answers 404 removes its routing.

    :raises PodUnavailable: the pod cannot be reached.
    :raises PodFailed: the pod answered a 5xx.
    """
    answer = pods.call(routing, request.method, kind.path(routing, suffix),
                       json=body, params=list(request.GET.items()))
    if not suffix:
        forget_if_gone(gateway, routing, answer)
    return pods.relay(routing.pod, answer)



def metadata(pods: PodCaller, gateway: Gateway, request: webob.Request,
             kind: Kind, resource_id: str,
             key: str | None = None) -> webob.Response:
    """``/<collection>/{id}/metadata[/{key}]``: forwarded to the
    resource's pod (the body of a ``POST`` or ``PUT``, as sent).

    :raises NotFound: the project has no routing of the resource.
    :raises PodUnavailable: the pod cannot be reached.
    """
    suffix = '/metadata' + (f'/{key}' if key is not None else '')
    body = (request.json_body_or_none()
            if request.method in ('POST', 'PUT') else None)
    return forward(pods, gateway, request, kind,
                   kind.routing(gateway, request, resource_id), suffix, body)

def delete(pods: PodCaller, gateway: Gateway, request: webob.Request,
           kind: Kind, top_id: str) -> webob.Response:
    """``DELETE`` a routed resource: the routing is marked ``deleting``
    before the pod is asked and set back to ``active`` when the pod
    refuses or cannot be reached. An accepted delete leaves it
    ``deleting``: a later call the pod answers 404 (:func:`forward`), or
    the reconciler, removes it, as for servers.

    :raises NotFound: unknown id.
    :raises PodUnavailable: the pod cannot be reached.
    """
    routing = kind.routing(gateway, request, top_id)
    gateway.set_status(routing.top_id, kind.resource_type, 'deleting')
    try:
        response = forward(pods, gateway, request, kind, routing)
    except PodUnavailable:
        restore(gateway, routing)
        raise
    if response.status_code >= 300 and response.status_code != 404:
        restore(gateway, routing)
    return response


def action(pods: PodCaller, gateway: Gateway, request: webob.Request,
           kind: Kind, top_id: str,
           deletes: str = 'os-force_delete') -> webob.Response:
    """``POST /<collection>/{id}/action`` of a snapshot, backup, group
    ...: forwarded, the pod judges the body; the action named
    ``deletes``, once the pod accepts it, marks the routing
    ``deleting``, as :func:`delete` leaves it.

    :raises NotFound: unknown id.
    :raises PodUnavailable: the pod cannot be reached.
    """
    body = request.json_body_or_none()
    routing = kind.routing(gateway, request, top_id)
    response = forward(pods, gateway, request, kind, routing, '/action',
                       body)
    if (response.status_code < 300 and isinstance(body, dict)
            and deletes in body):
        gateway.set_status(routing.top_id, kind.resource_type, 'deleting')
    return response


def restore(gateway: Gateway, routing: Routing) -> None:
    """Set a routing back to ``active`` if it was before."""
    if routing.status == 'active':
        gateway.set_status(routing.top_id, routing.resource_type, 'active')
