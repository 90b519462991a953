"""Exchanged tokens and expiry, against two real Keystones issuing
short-lived tokens: a pod token is not reused past its expiry (less the
margin), and a caller's token that has expired is not exchanged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from keystoneauth1 import session as ks_session

from trio2o_core.context import RequestContext
from trio2o_core.plugin.types import Pod
from trio2o_core.pods.federation import EXPIRY_MARGIN
from trio2o_core.pods.federation import PodIdentityRefused
from trio2o_core.pods.federation import TokenExchange
from trio2o_core.testing.federation import keystone_pair
from trio2o_core.testing.keystone import Credentials
from trio2o_core.testing.keystone import Keystone
from trio2o_core.testing.podenv.build import ensure

USER = Credentials('demo', 'demo', 'demo')
#: seconds tokens live: both Keystones' tokens are reusable for 4 s
LIFETIME = int(EXPIRY_MARGIN) + 4


@pytest.fixture(scope='module')
def keystones(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Keystone, Keystone, str]]:
    top, pod, sp = keystone_pair(ensure(), tmp_path_factory.mktemp('k2k'),
                                 [USER], token_expiration=LIFETIME)
    try:
        yield top, pod, sp
    finally:
        top.stop()
        pod.stop()


def caller(top: Keystone) -> RequestContext:
    """A new token of the user, as keystonemiddleware hands it on."""
    token = ks_session.Session(auth=USER.auth(top.url)).get_token()
    info: dict[str, Any] = top.admin.get(
        top.url + '/auth/tokens', headers={'X-Subject-Token': token}).json()
    return RequestContext(user_id=info['token']['user']['id'],
                          project_id=info['token']['project']['id'],
                          project_name=USER.project_name, auth_token=token,
                          token_info=info)


def test_tokens_are_not_reused_past_expiry(keystones):
    top, pod_ks, sp = keystones
    pod = Pod('pod-2', 'Pod2', 'az2', None, None, True, identity='k2k',
              service_provider=sp)
    tokens = TokenExchange(top.url)
    context = caller(top)
    started = time.monotonic()

    first = tokens.token(context, pod)
    assert tokens.token(context, pod) is first
    pod_project = pod_ks.ensure_project('demo')
    assert first.project_id == pod_project
    # the pod Keystone accepts it
    assert pod_ks.admin.get(pod_ks.url + '/auth/tokens', headers={
        'X-Subject-Token': first.token}).status_code == 200

    time.sleep(max(0.0, started + LIFETIME - EXPIRY_MARGIN + 1
                   - time.monotonic()))
    second = tokens.token(context, pod)
    assert second.token != first.token

    # once the caller's token has expired, nothing exchanges it
    time.sleep(max(0.0, started + LIFETIME + 2 - time.monotonic()))
    with pytest.raises(PodIdentityRefused) as caught:
        TokenExchange(top.url).token(context, pod)
    assert caught.value.code in (401, 403)
