"""Paste factories: the service apps and the auth-strategy switch."""

from __future__ import annotations

from typing import Any

import webob.exc

from trio2o_core.api.router import ServiceApp
from trio2o_core.conf import CONF


def service_app_factory(global_conf: dict, service: str,
                        **local_conf: str) -> ServiceApp:
    """Return the app of one service driver (paste ``app_factory``).

    :raises PluginLoadError: the service is not enabled or fails to load.
    """
    from trio2o_core import core_gateway

    driver = core_gateway.get_gateway().service(service)
    return ServiceApp(driver, public_url=CONF.api.public_url)


def pipeline_factory(loader: Any, global_conf: dict,
                     **local_conf: str) -> Any:
    """Build the pipeline named by ``[DEFAULT] auth_strategy``.

    ``local_conf`` has one space-separated filter list per strategy,
    ending with the app.
    """
    names = local_conf[CONF.auth_strategy].split()
    filters = [loader.get_filter(name) for name in names[:-1]]
    app = loader.get_app(names[-1])
    for make_filter in reversed(filters):
        app = make_filter(app)
    return app


class URLMap:
    """Send each request to the app mounted at the longest matching
    path prefix, moving the prefix from ``PATH_INFO`` to
    ``SCRIPT_NAME``; anything else answers 404."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = sorted(((prefix.rstrip('/'), app)
                            for prefix, app in apps.items()),
                           key=lambda item: -len(item[0]))

    def __call__(self, environ: dict, start_response: Any) -> Any:
        path = environ.get('PATH_INFO', '')
        for prefix, app in self.apps:
            if path == prefix or path.startswith(prefix + '/'):
                environ['SCRIPT_NAME'] = (environ.get('SCRIPT_NAME', '')
                                          + prefix)
                environ['PATH_INFO'] = path[len(prefix):]
                return app(environ, start_response)
        return webob.exc.HTTPNotFound()(environ, start_response)


def urlmap_factory(loader: Any, global_conf: dict,
                   **local_conf: str) -> URLMap:
    """Paste composite: ``/prefix = service:app-name`` lines become a
    :class:`URLMap` of the services in ``[DEFAULT] enabled_services``;
    ``/prefix = app-name`` lines (no service) are always mounted."""
    apps = {}
    for prefix, value in local_conf.items():
        if not prefix.startswith('/'):
            continue
        service, served, name = value.partition(':')
        if not served:
            apps[prefix] = loader.get_app(value)
        elif service in CONF.enabled_services:
            apps[prefix] = loader.get_app(name)
    return URLMap(apps)


def load_paste_app() -> Any:
    """Load the paste composite ``trio2o`` from ``[api] paste_config``
    (configuration already parsed), and the scheduling policy.

    :raises FileNotFoundError: the paste file is missing.
    :raises PluginLoadError: an enabled plugin (the ``[scheduler]
        policy`` too) cannot be loaded.
    """
    from paste import deploy

    from trio2o_core import core_gateway
    from trio2o_core import startup

    path = startup.find_config_file(CONF.api.paste_config)
    app = deploy.loadapp(f'config:{path}', name='trio2o')
    core_gateway.get_gateway().scheduler()
    return app
