"""Body of ``reboot``."""

from trio2o_plugins.nova.schemas import common

REBOOT = common.strict_object(
    {'type': {'type': 'string',
              'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}},
    required=('type',))
