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

    def process_request(self, request: Any) -> Any:
        """Apply what was concluded for this token, or let
        keystonemiddleware validate it (and remember the conclusion).

        :returns: keystonemiddleware's early answer, if any.
        """
        environ = request.environ
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if not token or 'HTTP_X_SERVICE_TOKEN' in environ:
            return super().process_request(request)
        known = self._memo.get(token)
        if known is not None:
            if known.until > time.monotonic():
                for key in STRIPPED:
                    environ.pop(key, None)
                environ.update(known.entries)
                return None
            self._memo.pop(token, None)
        answer = super().process_request(request)
        if answer is None:
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
