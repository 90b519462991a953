"""Every option group, for oslo-config-generator."""

from oslo_config import cfg

from trio2o_core.conf import api
from trio2o_core.conf import cinder
from trio2o_core.conf import database
from trio2o_core.conf import default
from trio2o_core.conf import federation
from trio2o_core.conf import metrics
from trio2o_core.conf import nova
from trio2o_core.conf import pods
from trio2o_core.conf import reconcile
from trio2o_core.conf import scheduler


def list_opts() -> list[tuple[cfg.OptGroup | str | None, list[cfg.Opt]]]:
    """Return ``(group, options)`` pairs of every Trio2o option."""
    result: list = []
    for module in (default, api, database, pods, reconcile, scheduler,
                   nova, cinder, metrics, federation):
        result.extend(module.list_opts())
    return result
