"""Paste filter: keystonemiddleware's ``auth_token``, remembering per
process what it concluded for a user token.

keystonemiddleware already caches a token's validation; what it still
does on every call with a cached token (strip and set some thirty
identity headers through webob, decode the cached token, rebuild its
access info) is the same for every call with that token. This filter
is keystonemiddleware's :class:`AuthProtocol`, configured the same way
(``[keystone_authtoken]``, the paste ``local_conf``); after it confirms
a user token, the environ entries it set are kept, and a later call
with that token gets exactly those entries (the client's identity
headers stripped first, as keystonemiddleware strips them).

A token is remembered only when its validation could not depend on
the request: no service token, no bind, no application-credential
access rules; and for no longer than keystonemiddleware's
``token_cache_time``, nor past the token's expiry. With
``token_cache_time = -1`` (keystonemiddleware's cache off) nothing is
remembered.

A call with a remembered token skips webob altogether: the application
gets the WSGI call itself, and its answer goes to the client as it
gave it, with keystonemiddleware's ``WWW-Authenticate`` challenge added
to a 401. (keystonemiddleware's webob wrapping also makes a relative
``Location`` absolute and empties a ``HEAD`` answer's body; the
gateway's applications answer through webob, which has done both.)
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from typing import Any

from keystonemiddleware import auth_token

#: the identity headers keystonemiddleware strips from every request
#: (``X-Service-*`` included), as WSGI environ keys
STRIPPED = tuple(
    'HTTP_' + name.upper().replace('-', '_') for name in (
        'X-Service-Catalog', 'X-Identity-Status',
        'X-Service-Identity-Status', 'X-Is-Admin-Project',
        'X-Role', 'X-User', 'X-Tenant-Id', 'X-Tenant-Name', 'X-Tenant',
        'X-Roles', 'X-Service-Roles',
        *(template % prefix
          for template in ('X%s-Domain-Id', 'X%s-Domain-Name',
                           'X%s-Project-Id', 'X%s-Project-Name',
                           'X%s-Project-Domain-Id',
                           'X%s-Project-Domain-Name', 'X%s-User-Id',
                           'X%s-User-Name', 'X%s-User-Domain-Id',
                           'X%s-User-Domain-Name')
          for prefix in ('', '-Service'))))
#: what keystonemiddleware sets for a confirmed user token
_KEPT = (*STRIPPED, 'HTTP_OPENSTACK_SYSTEM_SCOPE', 'keystone.token_info',
         'keystone.token_auth')
#: tokens remembered per process at most (the oldest goes first): each
#: keeps its token body, catalog included, as keystonemiddleware gave it
MEMO_SIZE = 1024


@dataclasses.dataclass(frozen=True)
class _Confirmed:
    until: float
    entries: tuple[tuple[str, Any], ...]


class AuthProtocol(auth_token.AuthProtocol):
    """keystonemiddleware's filter, with its conclusion for a user token
    remembered (see the module)."""

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        super().__init__(app, conf)
        self._seconds = int(self._conf.get('token_cache_time'))
        self._memo: dict[str, _Confirmed] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The WSGI call: with a remembered token, the application's
        own; else keystonemiddleware's."""
        token = environ.get('HTTP_X_AUTH_TOKEN')
        known = (self._memo.get(token)
                 if token and 'HTTP_X_SERVICE_TOKEN' not in environ
                 else None)
        if known is None:
            return super().__call__(environ, start_response)
        if known.until <= time.monotonic():
            self._memo.pop(token, None)
            return super().__call__(environ, start_response)
        for key in STRIPPED:
            environ.pop(key, None)
        environ.update(known.entries)

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            if status.startswith('401'):
                headers = [*headers, *self._reject_auth_headers]
            return start_response(status, headers, exc_info)

        return self._app(environ, start)

    def process_request(self, request: Any) -> Any:
        """Let keystonemiddleware validate the token, and remember its
        conclusion for a user token alone.

        :returns: keystonemiddleware's early answer, if any.
        """
        answer = super().process_request(request)
        environ = request.environ
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if answer is None and token and 'HTTP_X_SERVICE_TOKEN' not in environ:
            self._remember(token, environ)
        return answer

    def _remember(self, token: str, environ: dict[str, Any]) -> None:
        if (self._seconds <= 0
                or environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed'):
            return
        user = environ['keystone.token_auth'].user
        body = environ.get('keystone.token_info') or {}
        credential = body.get('token', {}).get('application_credential')
        if user.bind or (credential or {}).get('access_rules') is not None:
            return
        left = (user.expires
                - datetime.datetime.now(datetime.UTC)).total_seconds()
        if left <= 0:
            return
        while len(self._memo) >= MEMO_SIZE:
            self._memo.pop(next(iter(self._memo)), None)
        self._memo[token] = _Confirmed(
            time.monotonic() + min(self._seconds, left),
            tuple((key, environ[key]) for key in _KEPT if key in environ))


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """Paste filter factory, as keystonemiddleware's own."""
    conf = {**global_conf, **local_conf}

    def auth_filter(app: Any) -> AuthProtocol:
        return AuthProtocol(app, conf)

    return auth_filter
