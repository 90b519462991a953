"""Key pairs: created, imported and deleted in every enabled pod, so a
server in any pod can use them.

The first pod makes the key, the others import its public key; if a later
pod refuses, the pods already done are undone. With a pod down, no key
pair is created or deleted."""

from __future__ import annotations

import copy
import logging
import urllib.parse
from collections.abc import Sequence
from typing import Any

import webob

from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Route
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.pod_resources import PodResources

LOG = logging.getLogger(__name__)

class KeyPairsController(PodResources):
    """``POST /os-keypairs`` in every pod."""

    def routes(self) -> Sequence[Route]:
        first = self.first_pod
        return [
            Route('/v2.1/os-keypairs', {'GET': first,
                                        'POST': self.create_keypair}),
        ]

    def create_keypair(self, request: webob.Request) -> webob.Response:
        """``POST /os-keypairs``: create (or import) in every enabled
        pod; the first pod's answer (with a generated private key) is
        returned.

        :raises PodUnavailable: a pod is down, or stops answering (the
            pods done are undone).
        """
        body = request.json_body_or_none()
        first, *others = self._all_pods_up()
        answer = self._call(request, first, 'POST', 'os-keypairs', body)
        if answer.status_code >= 300 or not others:
            return self._answer(request, first, answer)
        keypair = answer.json()['keypair']
        imported = copy.deepcopy(body)
        imported['keypair']['public_key'] = keypair['public_key']
        done = [first]
        for pod in others:
            try:
                other = self._call(request, pod, 'POST', 'os-keypairs',
                                   imported)
            except PodUnavailable:
                self._undo_keypair(request, done, keypair['name'], body)
                raise
            if other.status_code >= 300:
                self._undo_keypair(request, done, keypair['name'], body)
                return self._answer(request, pod, other)
            done.append(pod)
        return self._answer(request, first, answer)

    def _undo_keypair(self, request: webob.Request, pods: list[Pod],
                      name: str, body: dict[str, Any]) -> None:
        """Delete the key pair from ``pods``; a pod that keeps it is
        logged with the request id."""
        user_id = body['keypair'].get('user_id')
        params = [('user_id', user_id)] if user_id else []
        path = 'os-keypairs/' + urllib.parse.quote(name, safe='')
        caller = forward.pods(self.gateway, request)
        for pod in pods:
            try:
                status = caller.call(pod, 'DELETE', path,
                                     params=params).status_code
            except PodUnavailable as exc:
                status = exc.code
            if status >= 300 and status != 404:
                LOG.error('key pair %s left in pod %s after a failed '
                          'create (request %s): the pod answered %s',
                          name, pod.name, caller.request_id, status)
