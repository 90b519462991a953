"""Key pairs: created, imported and deleted in every enabled pod, so a
server in any pod can use them.

The first pod makes the key, the others import its public key; if a later
pod refuses, the pods already done are undone. With a pod down, no key
pair is created or deleted."""

from __future__ import annotations

import copy
import urllib.parse
from collections.abc import Sequence

import webob

from trio2o_core.plugin import PodReply
from trio2o_core.plugin import Route
from trio2o_plugins.nova.pod_resources import PodResources
from trio2o_plugins.nova.pod_resources import PodWrite


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

        def imported(answer: PodReply) -> PodWrite:
            keypair = answer.json()['keypair']
            again = copy.deepcopy(body)
            again['keypair']['public_key'] = keypair['public_key']
            return 'POST', 'os-keypairs', again

        def delete(answer: PodReply) -> list[PodWrite]:
            name = answer.json()['keypair']['name']
            user_id = body['keypair'].get('user_id')
            query = ('?user_id=' + urllib.parse.quote(user_id, safe='')
                     if user_id else '')
            return [('DELETE', 'os-keypairs/' + urllib.parse.quote(
                name, safe='') + query, None)]

        return self.every_pod_or_none(
            request, ('POST', 'os-keypairs', body), delete, follow=imported)
