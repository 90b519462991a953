"""The Trio2o admin API (``/admin``): pods, bindings and routings."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.admin import schemas
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.plugin import exceptions
from trio2o_core.plugin import links
from trio2o_core.plugin import query
from trio2o_core.plugin.request import Request
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.service import json_response
from trio2o_core.plugin.validation import validate
from trio2o_core.plugin.validation import validate_query

RULE = 'trio2o:admin:{}:{}'


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _pod(row: Any) -> dict[str, Any]:
    return {'id': row.id, 'name': row.name, 'az_name': row.az_name,
            'pod_az_name': row.pod_az_name, 'dc_name': row.dc_name,
            'enabled': bool(row.enabled), 'weight': row.weight,
            'draining': bool(row.draining), 'identity': row.identity,
            'service_provider': row.service_provider,
            'created_at': _time(row.created_at),
            'updated_at': _time(row.updated_at)}


def _binding(row: Any) -> dict[str, Any]:
    return {'id': row.id, 'project_id': row.project_id,
            'az_name': row.az_name, 'pod_id': row.pod_id,
            'is_active': bool(row.is_active),
            'created_at': _time(row.created_at)}


def _routing(row: Any) -> dict[str, Any]:
    return {'id': row.id, 'top_id': row.top_id,
            'resource_type': row.resource_type, 'bottom_id': row.bottom_id,
            'pod_id': row.pod_id, 'project_id': row.project_id,
            'pod_project_id': row.pod_project_id, 'status': row.status,
            'created_at': _time(row.created_at),
            'updated_at': _time(row.updated_at)}


def _params(request: Request, schema: dict[str, Any]) -> dict[str, str]:
    params = dict(request.GET.items())
    validate_query(schema, params)
    return params


def _flag(params: dict[str, str], name: str) -> bool | None:
    value = params.pop(name, None)
    return None if value is None else query.parse_bool(name, value)


class AdminService(ServiceDriver):
    """Operator API of the gateway, admin-only by default."""

    prefix = 'admin'

    def routes(self) -> Sequence[Route]:
        return [
            Route('/', {'GET': self.versions}, public=True),
            Route('/v1', {'GET': self.version}, public=True),
            Route('/v1/pods', {'GET': self.list_pods,
                               'POST': self.create_pod}),
            Route('/v1/pods/{pod_id}', {'GET': self.show_pod,
                                        'PUT': self.update_pod,
                                        'DELETE': self.delete_pod}),
            Route('/v1/bindings', {'GET': self.list_bindings,
                                   'POST': self.create_binding}),
            Route('/v1/bindings/{binding_id}',
                  {'GET': self.show_binding,
                   'DELETE': self.delete_binding}),
            Route('/v1/routings', {'GET': self.list_routings}),
            Route('/v1/routings/{routing_id}', {'GET': self.show_routing}),
        ]

    def _authorize(self, request: Request, resource: str,
                   action: str) -> None:
        self.gateway.enforce(request.context, RULE.format(resource, action))

    # versions

    def _version(self, request: Request) -> dict[str, Any]:
        href = links.gateway_url(request) + '/v1/'
        return {'id': 'v1', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': href}]}

    def versions(self, request: Request) -> webob.Response:
        """``GET /``: the admin API's one version, answered by the gateway."""
        return json_response({'versions': [self._version(request)]})

    def version(self, request: Request) -> webob.Response:
        """``GET /v1``: that version's document."""
        return json_response({'version': self._version(request)})

    # pods

    def list_pods(self, request: Request) -> webob.Response:
        """``GET /v1/pods``: registered pods, filtered by ``az_name`` and
        ``enabled``."""
        self._authorize(request, 'pods', 'list')
        params = _params(request, schemas.list_pods_query)
        rows = db.list_pods(az_name=params.get('az_name'),
                            enabled=_flag(params, 'enabled'))
        return json_response({'pods': [_pod(row) for row in rows]})

    def create_pod(self, request: Request) -> webob.Response:
        """``POST /v1/pods``: register a pod (a Keystone region)."""
        self._authorize(request, 'pods', 'create')
        body = request.json_object()
        validate(schemas.create_pod, body)
        row = db.create_pod(**body['pod'])
        return json_response({'pod': _pod(row)}, 201)

    def show_pod(self, request: Request, pod_id: str) -> webob.Response:
        """``GET /v1/pods/{id}``: one pod, with what it still holds
        (``holdings``: live resources per project, then per type)."""
        self._authorize(request, 'pods', 'show')
        view = _pod(db.get_pod(pod_id))
        view['holdings'] = db.pod_holdings(pod_id)
        return json_response({'pod': view})

    def update_pod(self, request: Request, pod_id: str) -> webob.Response:
        """``PUT /v1/pods/{id}``: change a pod's zone names, enable it,
        weigh it or drain it (``draining``: no new resources)."""
        self._authorize(request, 'pods', 'update')
        body = request.json_object()
        validate(schemas.update_pod, body)
        return json_response({'pod': _pod(db.update_pod(pod_id,
                                                        **body['pod']))})

    def delete_pod(self, request: Request, pod_id: str) -> webob.Response:
        """``DELETE /v1/pods/{id}``: remove a pod no routing points at (409
        otherwise)."""
        self._authorize(request, 'pods', 'delete')
        try:
            db.delete_pod(pod_id)
        except db_exc.PodInUse as exc:
            raise exceptions.Conflict(
                f'Pod {pod_id} still owns {exc.count} routed resources; '
                'move or delete them first.') from None
        return json_response(None, 204)

    # bindings

    def list_bindings(self, request: Request) -> webob.Response:
        """``GET /v1/bindings``: project-to-pod bindings per zone."""
        self._authorize(request, 'bindings', 'list')
        params = _params(request, schemas.list_bindings_query)
        rows = db.list_bindings(is_active=_flag(params, 'is_active'),
                                **params)
        return json_response({'bindings': [_binding(r) for r in rows]})

    def create_binding(self, request: Request) -> webob.Response:
        """``POST /v1/bindings``: bind a project to a pod in a zone."""
        self._authorize(request, 'bindings', 'create')
        body = request.json_object()
        validate(schemas.create_binding, body)
        values = body['binding']
        try:
            row = db.create_binding(**values)
        except db_exc.InvalidReference:
            raise exceptions.BadRequest(
                f"Invalid input for field/attribute pod_id. Value: "
                f"{values['pod_id']}. No such pod.") from None
        except db_exc.Duplicate:
            raise exceptions.Conflict(
                f"Project {values['project_id']} already has an active "
                f"binding in availability zone {values['az_name']}."
            ) from None
        return json_response({'binding': _binding(row)}, 201)

    def show_binding(self, request: Request,
                     binding_id: str) -> webob.Response:
        """``GET /v1/bindings/{id}``: one binding."""
        self._authorize(request, 'bindings', 'show')
        return json_response({'binding': _binding(db.get_binding(
            binding_id))})

    def delete_binding(self, request: Request,
                       binding_id: str) -> webob.Response:
        """``DELETE /v1/bindings/{id}``: remove a binding."""
        self._authorize(request, 'bindings', 'delete')
        db.delete_binding(binding_id)
        return json_response(None, 204)

    # routings

    def list_routings(self, request: Request) -> webob.Response:
        """``GET /v1/routings``: the routing table, filtered and paged by
        ``marker``."""
        self._authorize(request, 'routings', 'list')
        params = _params(request, schemas.list_routings_query)
        limit = query.parse_limit(params, self.gateway.conf.api.max_limit)
        marker = params.pop('marker', None)
        params.pop('limit', None)
        rows = db.list_routings(limit=limit,
                                marker=None if marker is None
                                else query.parse_int('marker', marker),
                                **params)
        body: dict[str, Any] = {'routings': [_routing(r) for r in rows]}
        if rows and len(rows) == limit:
            following = dict(params, limit=str(limit),
                             marker=str(rows[-1].id))
            href = (links.gateway_url(request) + '/v1/routings?'
                    + urllib.parse.urlencode(following))
            body['routings_links'] = [{'rel': 'next', 'href': href}]
        return json_response(body)

    def show_routing(self, request: Request,
                     routing_id: str) -> webob.Response:
        """``GET /v1/routings/{id}``: one routing row."""
        self._authorize(request, 'routings', 'show')
        try:
            number = query.parse_int('routing_id', routing_id)
        except exceptions.BadRequest:
            shown = query.shown_value(routing_id)
            raise exceptions.NotFound(
                f'Resource routing {shown} could not be found.') from None
        return json_response({'routing': _routing(db.get_routing(number))})
