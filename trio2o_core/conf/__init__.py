"""Configuration options of Trio2o, one module per group.

``CONF`` is the process-wide :class:`oslo_config.cfg.ConfigOpts`; importing
this package registers every group on it.
"""

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

CONF = cfg.CONF

for _module in (default, api, database, pods, reconcile, scheduler, nova,
                cinder, metrics, federation):
    _module.register_opts(CONF)
