"""Tokens of pods under Keystones of their own (``k2k`` pods).

The gateway's Keystone is the identity provider; each ``k2k`` pod's
Keystone is registered in it as a service provider. A caller's token,
already validated by keystonemiddleware, is exchanged for a token of the
pod's Keystone with keystoneauth1's Keystone-to-Keystone plugin (a SAML
assertion from the gateway's Keystone, presented to the pod's), then
scoped to the project the pod's mapping gives the caller. The result is
cached per (caller's token, pod) for at most ``cache_time`` seconds and
never beyond either token's expiry; the cache keeps a digest of the
caller's token, not the token.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from keystoneauth1 import access
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import access as identity_access
from keystoneauth1.identity import v3
from keystoneauth1.identity.v3.k2k import Keystone2Keystone

from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.types import Pod

LOG = logging.getLogger(__name__)

K2K = 'k2k'
#: seconds before a pod token's expiry at which it is no longer used
EXPIRY_MARGIN = 30.0


class PodIdentityRefused(PluginError):
    """A ``k2k`` pod's Keystone (or the gateway's, for that pod) refused
    the caller: 401 or 403, as it said."""

    def __init__(self, pod_name: str, code: int, reason: str,
                 operator_message: str | None = None) -> None:
        super().__init__(f'The identity service of pod {pod_name} refused '
                         f'the caller: {reason}', operator_message)
        self.code = code
        self.pod_name = pod_name


@dataclasses.dataclass(frozen=True)
class PodToken:
    """A token of a pod's own Keystone.

    ``catalog`` is the token's service catalog (Keystone v3 list);
    ``project_id`` the pod-side project it is scoped to; ``good_until`` a
    :func:`time.monotonic` time after which it is not used.
    """

    token: str
    project_id: str
    catalog: list[dict[str, Any]]
    good_until: float


def is_k2k(pod: Pod) -> bool:
    """Whether calls to ``pod`` need an exchanged token."""
    return pod.identity == K2K


class TokenExchange:
    """Exchange callers' tokens for ``k2k`` pods' tokens, with a bounded
    cache.

    Each exchange gets a cookie jar of its own (the service provider
    answers the assertion with a session cookie) over the connection
    pools of ``http``.

    :param auth_url: the gateway's Keystone (v3), the identity provider.
    :param http: the requests session whose connection pools are used.
    :param timeout: seconds before a Keystone counts as unreachable.
    :param cache_time: seconds at most an exchanged token is reused.
    :param cache_size: exchanged tokens kept (least recently used go).
    :param clock: monotonic clock (seconds).
    """

    def __init__(self, auth_url: str | None,
                 http: requests.Session | None = None,
                 timeout: float = 10.0, cache_time: float = 300.0,
                 cache_size: int = 10000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.auth_url = auth_url
        self.http = http or requests.Session()
        self.timeout = timeout
        self.cache_time = cache_time
        self.cache_size = cache_size
        self._clock = clock
        self._discovery: dict[str, Any] = {}
        self._cache: collections.OrderedDict[tuple[str, str], PodToken] = (
            collections.OrderedDict())
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], threading.Lock] = {}

    def _session(self) -> ks_session.Session:
        http = requests.Session()
        http.trust_env = False
        for prefix, adapter in self.http.adapters.items():
            http.mount(prefix, adapter)
        return ks_session.Session(session=http, timeout=self.timeout,
                                  discovery_cache=self._discovery,
                                  app_name='trio2o')

    def token(self, context: Any, pod: Pod) -> PodToken:
        """The pod's token for the caller of ``context`` (its
        ``auth_token``, ``token_info`` from keystonemiddleware, and
        ``project_name``), exchanged on first use.

        :raises PodIdentityRefused: a Keystone refused (401/403), or the
            pod's mapping gives the caller no project (403).
        :raises PodUnavailable: a Keystone cannot be reached or failed.
        """
        caller_token = getattr(context, 'auth_token', None)
        if not caller_token:
            raise PodIdentityRefused(pod.name, 401, 'no token to exchange')
        key = (_digest(caller_token), pod.id)
        cached = self._cached(key)
        if cached is not None:
            return cached
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        # one exchange per key at a time: the others wait and reuse it
        with pending:
            cached = self._cached(key)
            if cached is not None:
                return cached
            try:
                found = self.exchange(
                    self._caller_plugin(context, caller_token), pod,
                    getattr(context, 'project_name', None),
                    caller_expires=_expiry(getattr(context, 'token_info',
                                                   None)))
                with self._lock:
                    self._cache[key] = found
                    self._cache.move_to_end(key)
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
        return found

    def _cached(self, key: tuple[str, str]) -> PodToken | None:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.good_until > now:
                self._cache.move_to_end(key)
                return cached
        return None

    def forget(self, context: Any, pod: Pod) -> None:
        """Drop the cached token of the caller of ``context`` for
        ``pod`` (the pod refused it)."""
        with self._lock:
            self._cache.pop((_digest(getattr(context, 'auth_token', None)
                                     or ''), pod.id), None)

    def _caller_plugin(self, context: Any,
                       caller_token: str) -> ks_plugin.BaseAuthPlugin:
        token_info = getattr(context, 'token_info', None)
        if token_info and 'token' in token_info:
            # keystonemiddleware's validation answer: no call to Keystone
            auth_ref = access.create(body=token_info, auth_token=caller_token)
            return identity_access.AccessInfoPlugin(auth_ref,
                                                    auth_url=self.auth_url)
        return v3.Token(auth_url=self.auth_url, token=caller_token,
                        project_id=getattr(context, 'project_id', None))

    def exchange(self, base: ks_plugin.BaseAuthPlugin, pod: Pod,
                 project_name: str | None, *,
                 caller_expires: datetime.datetime | None = None
                 ) -> PodToken:
        """Exchange the (project-scoped) token of ``base`` for a token of
        ``pod``'s Keystone scoped to the project its mapping gives: the
        one named ``project_name`` if it gives several. Not cached.

        :raises PodIdentityRefused: as :meth:`token`.
        :raises PodUnavailable: as :meth:`token`.
        """
        sp = pod.service_provider or ''
        started = self._clock()
        session = self._session()
        try:
            if not _knows_sp(base, session, sp):
                raise PodIdentityRefused(
                    pod.name, 403, 'no service provider for it',
                    f'service provider {sp!r} of pod {pod.name} is not '
                    'registered (or not enabled) in the gateway\'s '
                    'Keystone')
            k2k = Keystone2Keystone(base, sp)
            unscoped = k2k.get_auth_ref(session)
            sp_url = k2k.auth_url.rstrip('/')
            project = _pick_project(session, pod, sp_url,
                                    unscoped.auth_token, project_name)
            scoped = session.post(
                sp_url + '/auth/tokens', authenticated=False,
                json={'auth': {
                    'identity': {'methods': ['token'],
                                 'token': {'id': unscoped.auth_token}},
                    'scope': {'project': {'id': project}}}})
        except ks_exc.HttpError as exc:
            raise _refusal(pod, exc) from None
        except ks_exc.AuthorizationFailure as exc:
            # the gateway's Keystone would not issue an assertion
            raise PodIdentityRefused(
                pod.name, 403, 'no assertion could be issued for it',
                f'pod {pod.name}: {exc}') from None
        except ks_exc.ClientException as exc:
            raise PodUnavailable(
                pod.name, f'pod {pod.name}: token exchange failed: '
                          f'{exc}') from None
        body = scoped.json()['token']
        pod_expires = _expiry({'token': body})
        good_until = started + self.cache_time
        for expires in (pod_expires, caller_expires):
            if expires is not None:
                left = (expires - datetime.datetime.now(datetime.UTC)
                        ).total_seconds() - EXPIRY_MARGIN
                good_until = min(good_until, started + left)
        LOG.debug('exchanged a token for pod %s (project %s) in %.3f s',
                  pod.name, project, self._clock() - started)
        return PodToken(scoped.headers['X-Subject-Token'], project,
                        list(body.get('catalog') or []), good_until)

def _pick_project(session: ks_session.Session, pod: Pod, sp_url: str,
                  unscoped: str, project_name: str | None) -> str:
    projects = session.get(
        sp_url + '/auth/projects', authenticated=False,
        headers={'X-Auth-Token': unscoped}).json()['projects']
    enabled = [p for p in projects if p.get('enabled', True)]
    named = [p for p in enabled if p.get('name') == project_name]
    if len(named) == 1:
        return str(named[0]['id'])
    if len(enabled) == 1:
        return str(enabled[0]['id'])
    reason = ('its mapping gives the caller no project' if not enabled
              else 'its mapping gives the caller several projects, '
                   f'none named {project_name}')
    raise PodIdentityRefused(pod.name, 403, reason)


def _digest(token: str) -> str:
    # the cache holds no caller token itself
    return hashlib.sha256(token.encode()).hexdigest()


def _knows_sp(base: ks_plugin.BaseAuthPlugin, session: ks_session.Session,
              sp: str) -> bool:
    return bool(sp) and base.get_sp_url(session, sp) is not None


def _refusal(pod: Pod, exc: ks_exc.HttpError) -> PluginError:
    status = exc.http_status or 500
    detail = f'pod {pod.name}: {exc.method or ""} {exc.url or ""} ' \
             f'answered {status}: {exc.details or exc.message}'
    if status in (401, 403):
        return PodIdentityRefused(pod.name, status, 'the assertion or '
                                  'token was not accepted', detail)
    if status == 404:
        return PodIdentityRefused(pod.name, 403, 'its federation is not '
                                  'set up for the gateway', detail)
    return PodUnavailable(pod.name, detail)


def _expiry(token_info: Any) -> datetime.datetime | None:
    text = ((token_info or {}).get('token') or {}).get('expires_at')
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def from_conf(conf: Any) -> TokenExchange:
    """The exchange of a gateway configured by ``conf`` (``[federation]``,
    ``[keystone_authtoken]``, ``[pods] timeout``), on a session of its
    own: Keystones' answers need ``requests``' cookie handling, which
    the pod calls' transport leaves out."""
    options = conf.federation
    cache_time = float(options.cache_time)
    auth_url = options.auth_url
    kmw_cache = _option(conf, 'keystone_authtoken', 'token_cache_time')
    if isinstance(kmw_cache, int) and kmw_cache >= 0:
        cache_time = min(cache_time, float(kmw_cache))
    auth_url = (auth_url
                or _option(conf, 'keystone_authtoken', 'www_authenticate_uri')
                or _option(conf, 'keystone_authtoken', 'auth_url'))
    return TokenExchange(auth_url, timeout=conf.pods.timeout,
                         cache_time=cache_time,
                         cache_size=options.cache_size)


def _option(conf: Any, group: str, name: str) -> Any:
    try:
        return conf[group][name]
    except (KeyError, AttributeError):
        return None
