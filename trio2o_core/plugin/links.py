"""Hrefs in responses: the gateway's public URL, never a pod's."""

from __future__ import annotations

from typing import Any

import webob

CONFIG_PUBLIC_URL_KEY = 'trio2o.public_url'


def gateway_url(request: webob.Request) -> str:
    """Return the URL the current service is reached at, no trailing /.

    It is ``[api] public_url`` (when set) or the request's host URL,
    followed by the service's mount point (``/compute``...).
    """
    base = request.environ.get(CONFIG_PUBLIC_URL_KEY) or request.host_url
    return base.rstrip('/') + request.script_name.rstrip('/')


def rewrite(value: Any, pod_base: str, top_base: str) -> Any:
    """Return ``value`` with every string starting with ``pod_base``
    rewritten to start with ``top_base`` (recursing into lists and
    dicts)."""
    pod_base = pod_base.rstrip('/')
    top_base = top_base.rstrip('/')
    if isinstance(value, str):
        if value == pod_base or value.startswith(pod_base + '/'):
            return top_base + value[len(pod_base):]
        return value
    if isinstance(value, list):
        return [rewrite(item, pod_base, top_base) for item in value]
    if isinstance(value, dict):
        return {key: rewrite(item, pod_base, top_base)
                for key, item in value.items()}
    return value
