"""keystonemiddleware, and the gateway's filter remembering its
conclusions, refuse a token of the local Keystone once it has expired
(a Keystone of its own, issuing short-lived tokens)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import webob
import webob.dec
from keystoneauth1 import session as ks_session
from keystonemiddleware import auth_token
from oslo_config import cfg

from trio2o_core.api.middleware import auth_token as remembering
from trio2o_core.testing.keystone import ADMIN
from trio2o_core.testing.keystone import Keystone
from trio2o_core.testing.podenv.build import ensure
from trio2o_core.testing.process import free_port

LIFETIME = 4
POLL = 0.5


@pytest.fixture(scope='module')
def short_keystone(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Keystone]:
    keystone = Keystone(ensure(), tmp_path_factory.mktemp('short-ks'),
                        free_port(), token_expiration=LIFETIME)
    keystone.start()
    try:
        keystone.wait_ready()
        yield keystone
    finally:
        keystone.stop()


@webob.dec.wsgify
def _whoami(request: webob.Request) -> webob.Response:
    return webob.Response(json={'user': request.headers.get('X-User-Name')})


FILTERS = [auth_token.AuthProtocol, remembering.AuthProtocol]


def _protected(keystone: Keystone, tmp_path: Path,
               kind: type[auth_token.AuthProtocol]
               ) -> auth_token.AuthProtocol:
    conf_file = tmp_path / 'authtoken.conf'
    conf_file.write_text(ADMIN.conf_section(keystone.url))
    conf = cfg.ConfigOpts()
    conf([], project='expiry', default_config_files=[str(conf_file)])
    return kind(_whoami, {'oslo_config_config': conf})


def _status(app: auth_token.AuthProtocol, token: str) -> int:
    request = webob.Request.blank('/', headers={'X-Auth-Token': token})
    return request.get_response(app).status_int


@pytest.mark.parametrize('kind', FILTERS)
def test_expired_token_is_refused(short_keystone: Keystone, tmp_path: Path,
                                  kind: type[auth_token.AuthProtocol]
                                  ) -> None:
    app = _protected(short_keystone, tmp_path, kind)
    token = ks_session.Session(
        auth=ADMIN.auth(short_keystone.url)).get_token()
    issued = time.monotonic()
    assert _status(app, token) == 200

    deadline = issued + LIFETIME + 30
    while _status(app, token) == 200:
        assert time.monotonic() < deadline, 'token still accepted'
        time.sleep(POLL)
    assert time.monotonic() - issued >= LIFETIME - 1
