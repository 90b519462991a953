"""Body of ``os-resetState``."""

from trio2o_plugins.nova.schemas import common

RESET_STATE = common.strict_object(
    {'state': {'type': 'string', 'enum': ['active', 'error']}},
    required=('state',))
