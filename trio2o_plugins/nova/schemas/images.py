"""Bodies of ``createImage`` and ``createBackup``."""

from trio2o_plugins.nova.schemas import common

CREATE_IMAGE = common.strict_object(
    {'name': common.NAME, 'metadata': common.METADATA}, required=('name',))
CREATE_BACKUP = common.strict_object(
    {'name': common.NAME,
     'backup_type': {'type': 'string'},
     'rotation': common.NON_NEGATIVE_INTEGER,
     'metadata': common.METADATA},
    required=('name', 'backup_type', 'rotation'))
