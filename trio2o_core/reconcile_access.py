"""How the reconciler reaches the pods: as the gateway's service user
(the ``[keystone_authtoken]`` credentials), at the endpoints of
``[pods] endpoint_overrides`` or of the service user's catalog, with a
token of the pod's own Keystone for a ``k2k`` pod."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from keystoneauth1 import access
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session
from keystonemiddleware import auth_token  # noqa: F401
from oslo_config import cfg

from trio2o_core.conf import CONF
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodReply
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.pods import federation
from trio2o_core.pods.connector import SERVICE_TYPES
from trio2o_core.pods.connector import PodConnector
from trio2o_core.pods.connector import catalog_url

#: the configuration group holding the service user's credentials; the
#: import of keystonemiddleware's auth_token registers its options
#: (cafile, insecure...), so it reads the same here as in trio2o-api
GROUP = 'keystone_authtoken'


class ReconcileError(Exception):
    """The reconciler cannot run: no usable service credentials, a
    service user Keystone refuses, or malformed pod options. Nothing
    was changed."""


def service_session(conf: cfg.ConfigOpts = CONF) -> ks_session.Session:
    """Return a session that authenticates as the gateway's service user
    with the ``[keystone_authtoken]`` credentials (``auth_type``,
    ``auth_url``, ``username``...), verifying TLS as ``cafile`` and
    ``insecure`` say, with ``[pods] timeout``.

    No call is made: a wrong password shows at
    :func:`trio2o_core.reconcile.reconcile`.

    :raises ReconcileError: no ``auth_type`` is set, the plugin is
        unknown or a required option is missing.
    """
    loading.register_auth_conf_options(conf, GROUP)
    try:
        auth = loading.load_auth_from_conf_options(conf, GROUP)
    except ks_exc.ClientException as exc:
        raise ReconcileError(
            f'unusable service credentials in [{GROUP}]: {exc}') from None
    if auth is None:
        raise ReconcileError(
            f'no service credentials: set [{GROUP}] auth_type (password), '
            'auth_url, username, password, project_name and the user and '
            'project domains')
    options = conf[GROUP]
    verify: bool | str = (False if options.insecure
                          else options.cafile or True)
    cert = ((options.certfile, options.keyfile)
            if options.certfile and options.keyfile else None)
    return ks_session.Session(auth=auth, verify=verify, cert=cert,
                              timeout=conf.pods.timeout,
                              app_name='trio2o-reconcile')


def service_access(session: ks_session.Session) -> access.AccessInfo:
    """Return the service user's token and catalog.

    :raises ReconcileError: Keystone refuses the user or cannot be
        reached.
    """
    try:
        return session.auth.get_access(session)
    except ks_exc.ClientException as exc:
        raise ReconcileError(
            f'the service user of [{GROUP}] cannot authenticate: '
            f'{exc}') from None


class EndpointFinder:
    """Endpoints of pods: ``[pods] endpoint_overrides`` first, then the
    service user's catalog.

    :raises ReconcileError: ``[pods] endpoint_overrides`` is malformed.
    """

    def __init__(self, access_info: access.AccessInfo,
                 conf: cfg.ConfigOpts) -> None:
        try:
            self._overrides = PodConnector.parse_overrides(
                conf.pods.endpoint_overrides)
        except ValueError as exc:
            raise ReconcileError(f'[pods] {exc}') from None
        self._catalog = access_info.service_catalog.catalog
        self._interface = conf.pods.interface
        self._project = access_info.project_name
        self._pod_tokens: dict[str, federation.PodToken] = {}

    def getter(self, session: ks_session.Session, pod: Pod,
               service: str) -> Callable[[str, Sequence[tuple[str, str]]],
                                         PodReply]:
        """The ``get`` reading ``service`` of ``pod`` as the service user
        (with a token of the pod's own Keystone for a ``k2k`` pod).

        :raises PodUnreadable: no endpoint, or no token of a ``k2k`` pod.
        """
        if not federation.is_k2k(pod):
            return _getter(session, pod.name,
                           self.url(pod.name, service, self._catalog))
        if pod.id not in self._pod_tokens:
            exchange = federation.TokenExchange(
                None, session.session, timeout=session.timeout or 10.0)
            try:
                self._pod_tokens[pod.id] = exchange.exchange(
                    session.auth, pod, self._project)
            except PluginError as exc:
                raise PodUnreadable(exc.operator_message) from None
        pod_token = self._pod_tokens[pod.id]
        return _getter(session, pod.name,
                       self.url(pod.name, service, pod_token.catalog, True),
                       pod_token.token)

    def url(self, region: str, service: str,
            catalog: Sequence[Mapping[str, Any]], own: bool = False) -> str:
        """Return the URL of ``service`` (an SDK service name) in the pod
        named ``region`` from ``catalog`` (``own``: the pod's own, where
        any region will do).

        :raises PodUnreadable: neither an override nor the catalog names
            one.
        """
        types = SERVICE_TYPES[service]
        for service_type in types:
            url = self._overrides.get((region, service_type))
            if url:
                return url
        url = (catalog_url(catalog, types, self._interface, region)
               or (catalog_url(catalog, types, self._interface, None)
                   if own else None))
        if not url:
            raise PodUnreadable(f'no {self._interface} {service} endpoint '
                                f'of region {region} in the service '
                                'catalog')
        return str(url)


def _getter(session: ks_session.Session, pod_name: str, endpoint: str,
            token: str | None = None
            ) -> Callable[[str, Sequence[tuple[str, str]]], PodReply]:
    """The ``get`` a reconciler reads a pod with, as the service user
    (with ``token`` when given, else the session's).

    Its calls raise :class:`PodUnreadable` when the pod cannot be
    reached.
    """
    base = endpoint.rstrip('/')
    headers = {'Accept': 'application/json'}
    if token is not None:
        headers['X-Auth-Token'] = token

    def get(path: str, params: Sequence[tuple[str, str]]) -> PodReply:
        try:
            reply: PodReply = session.get(
                base + path, params=list(params), raise_exc=False,
                headers=headers, authenticated=token is None)
        except ks_exc.ClientException as exc:
            raise PodUnreadable(f'cannot reach {pod_name}: {exc}') from None
        return reply
    return get
