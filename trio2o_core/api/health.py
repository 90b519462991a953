"""``/healthcheck``: oslo.middleware's healthcheck, detailed for admins.

The ``trio2o`` backend (entry point of ``oslo.middleware.healthcheck``)
reads the pods from the database and each pod's breaker state: the
gateway is healthy while its database answers and, when pods are
enabled, at least one of them is not marked down. Anybody gets the
short answer (``200 OK`` or ``503``); a caller the policy calls admin
gets oslo's detailed view with each backend's details.
"""

from __future__ import annotations

from typing import Any

from oslo_config import cfg
from oslo_middleware.healthcheck import Healthcheck
from oslo_middleware.healthcheck import opts
from oslo_middleware.healthcheck import pluginbase

from trio2o_core.conf import CONF
from trio2o_core.plugin.request import CONTEXT_KEY


class GatewayHealth(pluginbase.HealthcheckBaseExtension):
    """The database and the pods' breakers, as one backend."""

    def healthcheck(self, server_port: int) -> pluginbase.HealthcheckResult:
        from trio2o_core import core_gateway

        gateway = core_gateway.get_gateway()
        try:
            pods = gateway.list_pods()
        except Exception as exc:  # noqa: BLE001 - any database failure
            return pluginbase.HealthcheckResult(
                available=False, reason='database unreachable',
                details=f'database: {type(exc).__name__}')
        states = []
        for pod in pods:
            down = gateway.health.is_down(pod.id)
            failures = gateway.health.failures(pod.id)
            states.append(
                f'pod {pod.name} ({pod.az_name}): '
                f'{"down" if down else "up"}, {failures} consecutive '
                f'failures')
        up = sum(1 for pod in pods if not gateway.health.is_down(pod.id))
        available = up > 0 or not pods
        reason = 'OK' if available else 'every pod is marked down'
        return pluginbase.HealthcheckResult(
            available=available, reason=reason,
            details='; '.join(['database: ok', *states]))


class _DetailedHealthcheck(Healthcheck):
    """oslo's healthcheck app with its detailed view always on."""

    def _conf_get(self, key: str, group: str = 'healthcheck') -> Any:
        if key == 'detailed':
            return True
        return super()._conf_get(key, group=group)


class HealthApp:
    """Answers with the detailed view when the request's context is
    admin, the short one otherwise. Options come from ``[healthcheck]``
    of the gateway's configuration (``backends`` defaults to
    ``trio2o``)."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        conf.register_opts(opts.HEALTHCHECK_OPTS, group='healthcheck')
        conf.set_default('backends', ['trio2o'], group='healthcheck')
        self.short = Healthcheck(None, conf)
        self.detailed = _DetailedHealthcheck(None, conf)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        context = environ.get(CONTEXT_KEY)
        app = (self.detailed if context is not None and context.is_admin
               else self.short)
        return app(environ, start_response)


def app_factory(global_conf: dict, **local_conf: str) -> HealthApp:
    """Paste ``app_factory`` of ``/healthcheck``."""
    return HealthApp(CONF)
