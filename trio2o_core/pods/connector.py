"""Where pods are and how they are reached: the pods' endpoints (from
configured overrides or the caller's catalog) and one HTTP session whose
connection pools every pod call shares, so a request pays no TCP set-up
to a pod another request has called. The session carries no per-request
state: each call passes its token, request id and microversion
(:class:`trio2o_core.pods.caller.CorePodCaller`).
"""

from __future__ import annotations

import functools
import re
import time
import urllib.parse
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import requests

from trio2o_core.plugin import jsoncodec
from trio2o_core.plugin.types import Pod
from trio2o_core.pods.federation import TokenExchange
from trio2o_core.pods.federation import is_k2k
from trio2o_core.pods.headers import Headers
from trio2o_core.pods.transport import PodAdapter

#: SDK service name -> catalog types that serve it, preferred first
SERVICE_TYPES = {
    'compute': ('compute',),
    'block_storage': ('block-storage', 'volumev3', 'volume'),
    'image': ('image',),
}


class PodConnector:
    """The pods' endpoints and the shared HTTP session.

    :param interface: catalog interface (``public``...).
    :param overrides: ``{(region, service_type): url}`` used before the
        catalog.
    :param timeout: seconds before a pod call gives up.

    ``federation`` exchanges callers' tokens for ``k2k`` pods (set by
    the gateway; None: no ``k2k`` pod can be reached).
    """

    def __init__(self, interface: str = 'public',
                 overrides: dict[tuple[str, str], str] | None = None,
                 timeout: float = 10.0,
                 endpoint_ttl: float = 300.0) -> None:
        self.interface = interface
        self.overrides = dict(overrides or {})
        self.timeout = timeout
        self.endpoint_ttl = endpoint_ttl
        self.http = requests.Session()
        # pod calls go straight to the pods: reading proxy settings from
        # the environment on every call costs more than the call itself
        self.http.trust_env = False
        adapter = PodAdapter()
        self.http.mount('http://', adapter)
        self.http.mount('https://', adapter)
        self._endpoints: dict[tuple[str, str, str | None],
                              tuple[str | None, float]] = {}
        self.federation: TokenExchange | None = None

    def send(self, method: str, url: str, *, json: Any = None,
             data: Any = None, params: Any = None,
             headers: Mapping[str, str] | None = None,
             stream: bool = False) -> requests.Response:
        """Send one call with the session's default headers through its
        adapter for ``url``, no redirect followed, :attr:`timeout`.
        ``json`` is sent encoded by :mod:`jsoncodec`, ``data`` as it is
        (bytes; a file or an object with a length, sized; an iterable of
        chunks, chunked).

        :raises requests.RequestException: the call failed
            (:class:`~trio2o_core.pods.transport.PodNotReached`: nothing
            was sent).
        """
        prepared = requests.PreparedRequest()
        prepared.method = method
        if params:
            query = encode_query(params)
            if query:
                url += ('&' if '?' in url else '?') + query
        prepared.url = requote(url)
        prepared.headers = sent = Headers()
        sent.update_from(self.http.headers)
        if headers:
            sent.update_from(headers)
        if json is not None:
            prepared.body = jsoncodec.dumps(json)
            prepared.headers.setdefault('Content-Type', 'application/json')
        else:
            prepared.body = data
            if data is not None and not isinstance(data, (bytes, str)):
                # a file or sized stream goes out with its length; what has
                # none (a generator) in chunks
                length = requests.utils.super_len(data)
                if length:
                    prepared.headers['Content-Length'] = str(length)
        # the adapter straight: Session.send's redirect, cookie and hook
        # handling would only look for what pod calls never use
        return self.http.get_adapter(prepared.url).send(
            prepared, stream=stream, timeout=self.timeout)

    @staticmethod
    def parse_overrides(option: dict[str, str]) -> dict[tuple[str, str],
                                                          str]:
        """Turn ``[pods] endpoint_overrides`` into connector overrides.

        :raises ValueError: a key is not ``<region>.<service type>``.
        """
        result = {}
        for key, url in option.items():
            region, sep, service = key.rpartition('.')
            if not sep or not region or not service:
                raise ValueError(f'endpoint override {key!r} is not '
                                 '"<region>.<service type>"')
            result[(region, service)] = url
        return result

    def endpoint(self, context: Any, pod: Pod,
                 service: str) -> str | None:
        """Return the URL of ``service`` (an SDK service name) in
        ``pod``'s region, or None when neither an override nor the
        caller's catalog names one (a ``k2k`` pod's own catalog: its
        region ``pod.name``, else any).

        :raises PodIdentityRefused: a ``k2k`` pod's token cannot be had.
        :raises PodUnavailable: likewise (a Keystone is unreachable).
        """
        for service_type in SERVICE_TYPES[service]:
            url = self.overrides.get((pod.name, service_type))
            if url:
                return url
        if is_k2k(pod) and self.federation is not None:
            catalog = self.federation.token(context, pod).catalog
            return (catalog_url(catalog, SERVICE_TYPES[service],
                                self.interface, pod.name)
                    or catalog_url(catalog, SERVICE_TYPES[service],
                                   self.interface, None))
        # catalogs may put the project in the URL: one entry per project
        cache_key = (pod.name, service, getattr(context, 'project_id', None))
        now = time.monotonic()
        cached = self._endpoints.get(cache_key)
        if cached is not None and cached[1] > now:
            return cached[0]
        url = self._from_catalog(context, pod.name, service)
        if url is not None:
            self._endpoints[cache_key] = (url, now + self.endpoint_ttl)
        return url

    def _from_catalog(self, context: Any, region: str,
                      service: str) -> str | None:
        token_info = getattr(context, 'token_info', None) or {}
        catalog = (token_info.get('token') or {}).get('catalog') or []
        return catalog_url(catalog, SERVICE_TYPES[service], self.interface,
                           region)


#: a URL ``requests.utils.requote_uri`` gives back as it is
_REQUOTED = re.compile(r"[A-Za-z0-9_.\-~!#$&'()*+,/:;=?@\[\]]*")


def requote(url: str) -> str:
    """``url`` as ``requests.utils.requote_uri`` writes it (looked at
    first: a pod call's URL is most often written so already)."""
    if _REQUOTED.fullmatch(url):
        return url
    return requests.utils.requote_uri(url)


def encode_query(params: Mapping[str, Any] | Iterable[tuple[str, Any]]
                 ) -> str:
    """Return ``params`` as a URL query, as ``requests`` writes it: a
    list or tuple value gives one pair per item, None values are left
    out, text is UTF-8 and ``+`` stands for a space."""
    pairs = params.items() if isinstance(params, Mapping) else params
    parts = []
    for key, value in pairs:
        for item in (value if isinstance(value, (list, tuple))
                     else (value,)):
            if item is not None:
                parts.append(f'{_quoted(key)}={_quoted(item)}')
    return '&'.join(parts)


@functools.lru_cache(maxsize=4096)
def _quoted(value: Any) -> str:
    # list calls repeat the same keys and values on every page and pod
    return urllib.parse.quote_plus(
        value if isinstance(value, (str, bytes)) else str(value))


def catalog_url(catalog: Iterable[Mapping[str, Any]],
                service_types: Sequence[str], interface: str,
                region: str | None) -> str | None:
    """Return the first URL of a Keystone v3 catalog (the token body's
    ``catalog`` list) for one of ``service_types`` (in that order of
    preference), ``interface`` and ``region`` (None: any), or None."""
    entries = list(catalog)
    for service_type in service_types:
        for entry in entries:
            if entry.get('type') != service_type:
                continue
            for endpoint in entry.get('endpoints', []):
                if (endpoint.get('interface') == interface
                        and (region is None
                             or region in (endpoint.get('region_id'),
                                           endpoint.get('region')))):
                    return endpoint.get('url')
    return None
