"""Flavors: read from the first up pod, written in every enabled pod.

A server may be created in any pod with the flavor id the client read
here, so every flavor write (create, description update, delete, extra
specs, project access) goes to every enabled pod, the first (which
judges the request) first: a flavor the first pod made without an id is
created in the others with the id it got. When a later pod refuses or
stops answering, the pods done are undone (a created flavor deleted, an
extra spec, access or description change reverted) and the refusal
answered; with a pod down nothing is written (503 naming it). A delete
cannot be undone: it goes to every pod, and the first refusal is
answered.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import PodReply
from trio2o_core.plugin import Route
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import PodWrite
from trio2o_plugins.nova.pod_resources import pod_path

PREFIX = '/v2.1/flavors/{flavor_id}'
#: each flavor access action and the one that reverts it
ACCESS_UNDO = {'addTenantAccess': 'removeTenantAccess',
               'removeTenantAccess': 'addTenantAccess'}


def _flavor_path(flavor_id: str, suffix: str = '') -> str:
    return 'flavors/' + urllib.parse.quote(flavor_id, safe='') + suffix


def _spec_path(flavor_id: str, key: str) -> str:
    return _flavor_path(flavor_id, '/os-extra_specs/'
                        + urllib.parse.quote(key, safe=''))


class FlavorsController(PodResources):
    """``/flavors``, its extra specs and its access lists."""

    def routes(self) -> Sequence[Route]:
        first = self.first_pod
        return [
            Route('/v2.1/flavors', {'GET': first, 'POST': self.create}),
            Route('/v2.1/flavors/detail', {'GET': first}),
            Route(PREFIX, {'GET': first, 'PUT': self.update,
                           'DELETE': self.every_pod}),
            Route(PREFIX + '/action', {'POST': self.access}),
            Route(PREFIX + '/os-flavor-access', {'GET': first}),
            Route(PREFIX + '/os-extra_specs', {'GET': first,
                                               'POST': self.set_specs}),
            Route(PREFIX + '/os-extra_specs/{key}',
                  {'GET': first, 'PUT': self.set_spec,
                   'DELETE': self.delete_spec}),
        ]

    def create(self, request: webob.Request) -> webob.Response:
        """``POST /flavors``: create in every enabled pod with the id
        the first pod gave (the client's, or one it generated).

        :raises PodUnavailable: a pod is down, or stops answering (the
            flavor is deleted from the pods done).
        """
        body = request.json_body_or_none()

        def same_id(answer: PodReply) -> PodWrite:
            flavor = {**body['flavor'], 'id': answer.json()['flavor']['id']}
            return 'POST', 'flavors', {**body, 'flavor': flavor}

        def delete(answer: PodReply) -> list[PodWrite]:
            flavor_id = answer.json()['flavor']['id']
            return [('DELETE', _flavor_path(flavor_id), None)]

        return self.every_pod_or_none(request, ('POST', 'flavors', body),
                                      delete, follow=same_id)

    def update(self, request: webob.Request,
               flavor_id: str) -> webob.Response:
        """``PUT /flavors/{id}`` (2.55, the description) in every pod;
        undone with the description the first pod had."""
        body = request.json_body_or_none()
        path = _flavor_path(flavor_id)

        before = self._before(request, path)
        if before is None:
            return self.first_pod(request)
        restore: PodWrite = ('PUT', path, {'flavor': {
            'description': before['flavor'].get('description')}})
        return self.every_pod_or_none(request, ('PUT', path, body),
                                      lambda _: [restore])

    def access(self, request: webob.Request,
               flavor_id: str) -> webob.Response:
        """``POST /flavors/{id}/action``: add or remove a project's
        access in every pod; undone with the opposite action."""
        body = request.json_body_or_none()
        path = pod_path(request)
        undo: list[PodWrite] = []
        if isinstance(body, Mapping) and len(body) == 1:
            ((action, value),) = body.items()
            if action in ACCESS_UNDO:
                undo = [('POST', path, {ACCESS_UNDO[action]: value})]
        return self.every_pod_or_none(request, ('POST', path, body),
                                      lambda _: undo)

    def set_specs(self, request: webob.Request,
                  flavor_id: str) -> webob.Response:
        """``POST /flavors/{id}/os-extra_specs`` in every pod; undone
        by restoring the keys as the first pod had them."""
        body = request.json_body_or_none()
        path = _flavor_path(flavor_id, '/os-extra_specs')
        before = self._before(request, path)
        if before is None:
            return self.first_pod(request)
        specs = body.get('extra_specs') if isinstance(body, dict) else None
        keys = list(specs) if isinstance(specs, dict) else []
        return self.every_pod_or_none(
            request, ('POST', path, body),
            self._restore(flavor_id, keys, before['extra_specs']))

    def set_spec(self, request: webob.Request, flavor_id: str,
                 key: str) -> webob.Response:
        """``PUT /flavors/{id}/os-extra_specs/{key}`` in every pod;
        undone by restoring the key as the first pod had it."""
        body = request.json_body_or_none()
        before = self._before(request,
                              _flavor_path(flavor_id, '/os-extra_specs'))
        if before is None:
            return self.first_pod(request)
        return self.every_pod_or_none(
            request, ('PUT', _spec_path(flavor_id, key), body),
            self._restore(flavor_id, [key], before['extra_specs']))

    def delete_spec(self, request: webob.Request, flavor_id: str,
                    key: str) -> webob.Response:
        """``DELETE /flavors/{id}/os-extra_specs/{key}`` in every pod;
        undone by setting the key back."""
        before = self._before(request,
                              _flavor_path(flavor_id, '/os-extra_specs'))
        if before is None:
            return self.first_pod(request)
        return self.every_pod_or_none(
            request, ('DELETE', _spec_path(flavor_id, key), None),
            self._restore(flavor_id, [key], before['extra_specs']))

    def _before(self, request: webob.Request,
                path: str) -> dict[str, Any] | None:
        """The first pod's ``path`` before a change (None when it
        does not answer 200 JSON: the write is left to the first pod,
        whose refusal is the client's)."""
        first = self._all_pods_up()[0]
        answer = self._call(request, first, 'GET', path, params=[])
        if answer.status_code != 200:
            return None
        try:
            value = answer.json()
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @staticmethod
    def _restore(flavor_id: str, keys: Sequence[str],
                 before: Mapping[str, Any]
                 ) -> Callable[[PodReply], list[PodWrite]]:
        """The undo of a change of ``keys``: each set back to its value
        in ``before``, or deleted if it was not there."""
        calls: list[PodWrite] = [
            ('PUT', _spec_path(flavor_id, key), {key: before[key]})
            if key in before else
            ('DELETE', _spec_path(flavor_id, key), None)
            for key in keys if isinstance(key, str)]
        return lambda _: calls
