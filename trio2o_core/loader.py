"""Loading plugins from entry points; the only user of stevedore."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib import metadata
from typing import Any

from stevedore import named

from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.version import PLUGIN_API_VERSION

LOG = logging.getLogger(__name__)

SERVICES = 'trio2o.api.services'
SERVER_ACTIONS = 'trio2o.nova.server_actions'
VOLUME_ACTIONS = 'trio2o.cinder.volume_actions'
SCHEDULER_POLICIES = 'trio2o.scheduler.policies'
GROUPS = (SERVICES, SERVER_ACTIONS, VOLUME_ACTIONS, SCHEDULER_POLICIES)


def installed(group: str) -> dict[str, list[str]]:
    """Return every installed entry point of ``group``: name -> targets.

    A name with several distinct targets is a duplicate.
    """
    found: dict[str, list[str]] = {}
    for ep in metadata.entry_points(group=group):
        targets = found.setdefault(ep.name, [])
        if ep.value not in targets:
            targets.append(ep.value)
    return found


def load_classes(group: str,
                 enabled: Iterable[str] | None) -> dict[str, type]:
    """Import the enabled entry points of ``group``.

    ``enabled=None`` means every installed one. Each class must carry
    ``plugin_api == PLUGIN_API_VERSION``.

    :raises PluginLoadError: an enabled name is not installed, installed
        twice, fails to import, or has another ``plugin_api``; the message
        names the plugin.
    """
    available = installed(group)
    names = list(dict.fromkeys(available if enabled is None else enabled))
    for name in names:
        if name not in available:
            raise PluginLoadError(
                f'{group}: enabled plugin {name!r} is not installed '
                f'(installed: {", ".join(sorted(available)) or "none"})')
        if len(available[name]) > 1:
            raise PluginLoadError(
                f'{group}: plugin {name!r} is installed more than once: '
                f'{", ".join(sorted(available[name]))}')

    def _failed(manager: Any, ep: Any, exc: BaseException) -> None:
        raise PluginLoadError(
            f'{group}: plugin {ep.name!r} ({ep.value}) failed to load: '
            f'{exc}') from exc

    manager = named.NamedExtensionManager(
        group, names, invoke_on_load=False, name_order=True,
        on_load_failure_callback=_failed)
    result: dict[str, type] = {}
    for ext in manager:
        api = getattr(ext.plugin, 'plugin_api', None)
        if api != PLUGIN_API_VERSION:
            raise PluginLoadError(
                f'{group}: plugin {ext.name!r} ({ext.entry_point.value}) '
                f'implements plugin API {api}, this gateway requires '
                f'{PLUGIN_API_VERSION}')
        result[ext.name] = ext.plugin
    LOG.info('%s: enabled %s', group, ', '.join(result) or 'nothing')
    return result


def load(group: str, enabled: Iterable[str] | None,
         *args: Any) -> dict[str, Any]:
    """Load the enabled plugins of ``group`` and instantiate each with
    ``args``.

    :raises PluginLoadError: as :func:`load_classes`, or a constructor
        failed.
    """
    instances = {}
    for name, cls in load_classes(group, enabled).items():
        try:
            instances[name] = cls(*args)
        except Exception as exc:
            raise PluginLoadError(
                f'{group}: plugin {name!r} failed to start: {exc}') from exc
    return instances
