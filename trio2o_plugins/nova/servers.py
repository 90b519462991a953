"""``/v2.1/servers``: create, list, show, update and delete servers, and
the sub-resources of a routed server.

A server keeps the id its pod gave it, and a routing row (type
``server``) says which pod that is. Everything about an existing server
is forwarded to that pod as the caller, and the answer is shown with
hrefs at the gateway and the users' availability zone.
"""

from __future__ import annotations

import copy
import secrets
import urllib.parse
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PendingCreate
from trio2o_core.plugin import PluginError
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_core.plugin import ServiceDriver
from trio2o_core.plugin import create_with_retry
from trio2o_core.plugin import json_response
from trio2o_core.plugin import validate
from trio2o_plugins.nova import forward
from trio2o_plugins.nova import server_list
from trio2o_plugins.nova import server_placement as placement
from trio2o_plugins.nova import volumes
from trio2o_plugins.nova.schemas import common
from trio2o_plugins.nova.schemas import servers as schemas

PREFIX = '/v2.1/servers/{server_id}'
#: sub-resources of a server, forwarded to its pod, with their methods
SUB_RESOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ('/metadata', ('GET', 'POST', 'PUT')),
    ('/metadata/{item}', ('GET', 'PUT', 'DELETE')),
    ('/tags', ('GET', 'PUT', 'DELETE')),
    ('/tags/{item}', ('GET', 'PUT', 'DELETE')),
    ('/ips', ('GET',)),
    ('/ips/{item}', ('GET',)),
    ('/os-instance-actions', ('GET',)),
    ('/os-instance-actions/{item}', ('GET',)),
    ('/os-interface', ('GET', 'POST')),
    ('/os-interface/{item}', ('GET', 'DELETE')),
    ('/os-volume_attachments', ('GET', 'POST')),
    ('/os-volume_attachments/{item}', ('GET', 'PUT', 'DELETE')),
    ('/os-server-password', ('GET', 'DELETE')),
    ('/diagnostics', ('GET',)),
    ('/remote-consoles', ('POST',)),
    ('/migrations', ('GET',)),
    ('/migrations/{item}', ('GET', 'DELETE')),
    ('/migrations/{item}/action', ('POST',)),
    ('/topology', ('GET',)),
    ('/os-security-groups', ('GET',)),
    ('/shares', ('GET', 'POST')),
    ('/shares/{item}', ('GET', 'DELETE')),
)
#: the sub-resource Nova serves on deleted servers too (2.21)
DELETED_SERVED = '/os-instance-actions'
#: Nova's instance password alphabet (no 0, 1, I, O, l)
PASSWORD_GROUPS = ('23456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ',
                   'abcdefghijkmnopqrstuvwxyz')
PASSWORD_LENGTH = 12


def generate_password() -> str:
    """Return a password as Nova makes one: one character of each group,
    the rest from all of them, shuffled."""
    chars = [secrets.choice(group) for group in PASSWORD_GROUPS]
    alphabet = ''.join(PASSWORD_GROUPS)
    chars += [secrets.choice(alphabet)
              for _ in range(PASSWORD_LENGTH - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return ''.join(chars)


def _count(value: Any, default: int) -> int:
    """``min_count``/``max_count`` as an int; the pod judges bad ones."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ServersController:
    """The servers collection and every call on one server but its
    actions."""

    def __init__(self, service: ServiceDriver) -> None:
        self.service = service
        self.gateway = service.gateway
        self.lister = server_list.ServerLister(self.gateway)

    def routes(self) -> Sequence[Route]:
        routes = [
            Route('/v2.1/servers', {'GET': self.index,
                                    'POST': self.create}),
            Route('/v2.1/servers/detail', {'GET': self.detail}),
            Route(PREFIX, {'GET': self.show, 'PUT': self.update,
                           'DELETE': self.delete}),
        ]
        for suffix, methods in SUB_RESOURCES:
            routes.append(Route(PREFIX + suffix, {
                method: self.sub_resource for method in methods}))
        return routes

    # the collection

    def index(self, request: webob.Request) -> webob.Response:
        """``GET /servers``: ids, names and links, merged over pods."""
        return self.lister.respond(request, detail=False)

    def detail(self, request: webob.Request) -> webob.Response:
        """``GET /servers/detail``: full records, merged over pods."""
        return self.lister.respond(request, detail=True)

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /servers``: create in the pod the scheduler picks.

        The pod gives the server its id, so no routing row can name the
        server before the pod answers. A ``server_request`` row (its own
        random id, the caller's project and the chosen pod, ``creating``:
        :class:`PendingCreate`) is therefore written before the
        pod is called: should the gateway stop before the servers are
        routed, that row tells which pod may hold unrouted servers of the
        project, created after the row. Once the pod answers, the new
        servers are routed ``active`` and the request row removed, in one
        transaction. When the pod refuses, the request row
        is removed and the pod's error returned: nothing stays routed.
        When the pod's answer is lost (a read timeout, a reset, a proxy's
        502/504), the row stays: the reconciler adopts what the pod made.

        Several servers (``max_count`` > 1, or ``return_reservation_id``)
        are found by listing the pod's servers of the reservation; the
        pod is asked for the reservation id, and the gateway answers as
        Nova would have (the first server, or the reservation id). If
        they cannot be listed, the request row stays for reconciliation.

        :raises BadRequest: the body fails Nova's schema, or names an
            unknown availability zone.
        :raises PodUnavailable: the chosen pod cannot be reached.
        :raises PluginError: the pod created servers the gateway could
            not list (500).
        """
        body = request.json_body_or_none()
        validate(common.for_request(schemas.CREATE, request),
                            body)
        server = body['server']
        pod, scheduled = placement.place(self.gateway, request, body)
        # Nova reads the flag by truthiness (the string 'False' counts)
        wants_reservation = bool(server.get('return_reservation_id'))
        min_count = _count(server.get('min_count'), 1)
        several = _count(server.get('max_count'), min_count) > 1
        password = None
        if several and not wants_reservation:
            password = server.get('adminPass') or generate_password()
        attempts: list[PendingCreate] = []

        def send(target: Pod) -> PodReply:
            forwarded = copy.deepcopy(body)
            placement.rewrite_zone(forwarded['server'], target)
            if password is not None:
                forwarded['server']['return_reservation_id'] = True
                forwarded['server']['adminPass'] = password
            pending = PendingCreate(self.gateway, request, target,
                                    forward.RESOURCE)
            attempts.append(pending)
            try:
                answer = forward.pods(self.gateway, request).call(
                    target, 'POST', 'servers', json=forwarded)
            except PodUnavailable as exc:
                # after a lost answer the pod may have made servers whose
                # ids the gateway never learnt: the request row stays for
                # the reconciler
                if not exc.answer_lost:
                    pending.abandon()
                raise
            if answer.status_code >= 300:
                pending.abandon()
            return answer

        pod, answer = create_with_retry(
            pod, scheduled, send,
            lambda refused: placement.schedule(self.gateway, request, body,
                                               refused=refused))
        if answer.status_code >= 300:
            return forward.pods(self.gateway, request).relay(pod, answer)
        pending = attempts[-1]
        created = answer.json()
        if 'reservation_id' in created:
            members = self._reservation(request, pod,
                                        created['reservation_id'])
            pending.route(member['id'] for member in members)
        else:
            members = []
            pending.route([created['server']['id']])
        if password is None:
            return forward.pods(self.gateway, request).relay(pod, answer)
        return self._first_of(request, pod, server, members, password)

    def _reservation(self, request: webob.Request, pod: Pod,
                     reservation_id: str) -> list[dict[str, Any]]:
        """Return every server of a reservation in ``pod``, first
        created first.

        :raises PluginError: they cannot be listed, or none is found.
        """
        members: list[dict[str, Any]] = []
        params = [('reservation_id', reservation_id),
                  ('sort_key', 'created_at'), ('sort_dir', 'asc')]
        marker = None
        while True:
            page = params + ([('marker', marker)] if marker else [])
            answer = forward.pods(self.gateway, request).call(
                pod, 'GET', 'servers/detail', params=page)
            body = answer.json() if answer.status_code == 200 else {}
            members += body.get('servers', [])
            if not body.get('servers') or not body.get('servers_links'):
                break
            marker = members[-1]['id']
        if not members:
            raise PluginError(
                'Unexpected API Error. Please contact the administrator',
                f'servers of reservation {reservation_id} in pod '
                f'{pod.name} cannot be listed (HTTP {answer.status_code})')
        return members

    def _first_of(self, request: webob.Request, pod: Pod,
                  server: Mapping[str, Any],
                  members: list[dict[str, Any]],
                  password: str) -> webob.Response:
        """Answer a multiple create as Nova does when no reservation id
        was asked for: the first server, as created."""
        first = members[0]
        view = {
            'id': first['id'], 'links': first.get('links', []),
            'OS-DCF:diskConfig': first.get('OS-DCF:diskConfig', 'MANUAL'),
            'security_groups': server.get('security_groups',
                                          [{'name': 'default'}]),
            'adminPass': password,
        }
        view = forward.pods(self.gateway, request).translate(pod, view)
        headers = {link['rel']: link['href'] for link in view['links']}
        return json_response({'server': view}, 202,
                             {'Location': headers.get('self', '')})

    # one server

    def show(self, request: webob.Request,
             server_id: str) -> webob.Response:
        """``GET /servers/{id}``; a server its pod no longer has loses
        its routing and answers 404."""
        return self._on_server(request, server_id, 'GET')

    def update(self, request: webob.Request,
               server_id: str) -> webob.Response:
        """``PUT /servers/{id}``: body checked with Nova's schema, a
        pinned zone named as the pod knows it."""
        body = request.json_body_or_none()
        validate(common.for_request(schemas.UPDATE, request),
                            body)
        routing = forward.server_routing(self.gateway, request, server_id)
        zone = body['server'].get('pinned_availability_zone')
        if zone is not None:
            pod = routing.pod
            if zone != pod.az_name:
                raise BadRequest('The requested availability zone is not '
                                 'available')
            body['server']['pinned_availability_zone'] = (
                pod.pod_az_name or zone)
        return self._on_server(request, server_id, 'PUT', body,
                               routing=routing)

    def delete(self, request: webob.Request,
               server_id: str) -> webob.Response:
        """``DELETE /servers/{id}``: the routing is marked ``deleting``
        before the pod is asked; it is removed once the pod answers that
        the server is gone (now or at a later lookup), and set back to
        ``active`` when the pod refuses."""
        routing = forward.server_routing(self.gateway, request, server_id)
        self.gateway.set_status(routing.top_id, forward.RESOURCE,
                                'deleting')
        try:
            response = self._on_server(request, server_id, 'DELETE',
                                       routing=routing)
        except PodUnavailable:
            self._restore(routing)
            raise
        if response.status_code >= 300 and response.status_code != 404:
            self._restore(routing)
        return response

    def _restore(self, routing: Any) -> None:
        if routing.status == 'active':
            self.gateway.set_status(routing.top_id, forward.RESOURCE,
                                    'active')

    def _on_server(self, request: webob.Request, server_id: str,
                   method: str, body: Any = None,
                   routing: Any = None) -> webob.Response:
        routing = routing or forward.server_routing(self.gateway, request,
                                                    server_id)
        caller = forward.pods(self.gateway, request)
        answer = caller.call(routing.pod, method,
                             f'servers/{routing.bottom_id}', json=body,
                             params=forward.query(request))
        forward.forget_if_gone_server(self.gateway, routing, answer)
        return caller.relay(routing.pod, answer)

    def sub_resource(self, request: webob.Request, server_id: str,
                     item: str | None = None) -> webob.Response:
        """Forward a call on a server's sub-resource to its pod: method,
        path, query and body unchanged (a deleted server's instance
        actions too, while its routing is kept). A volume attached must
        live in the server's pod.

        :raises Conflict: the volume is routed to another pod.
        """
        body = request.json_body_or_none()
        suffix = request.path_info.split(f'/servers/{server_id}', 1)[1]
        routing = forward.server_routing(
            self.gateway, request, server_id,
            deleted=suffix.startswith(DELETED_SERVED))
        volumes.check_attachment(self.gateway, request, routing, body)
        path = (f'servers/{routing.bottom_id}'
                + urllib.parse.quote(suffix, safe='/:@!$&\'()*+,;=-._~'))
        caller = forward.pods(self.gateway, request)
        answer = caller.call(routing.pod, request.method, path, json=body,
                             params=forward.query(request))
        return caller.relay(routing.pod, answer)
