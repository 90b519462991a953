"""Bodies of ``migrate`` and ``os-migrateLive``."""

from trio2o_plugins.nova.schemas import common

#: ``migrate`` from 2.56 (not validated before)
MIGRATE_V256 = common.strict_object({'host': common.HOST_OR_NONE},
                                    nullable=True)

_BLOCK_MIGRATION_V225 = {**common.BOOLEAN,
                         'enum': [*common.BOOLEAN['enum'], 'auto']}

MIGRATE_LIVE = common.strict_object(
    {'block_migration': common.BOOLEAN,
     'disk_over_commit': common.BOOLEAN,
     'host': common.HOST_OR_NONE},
    required=('block_migration', 'disk_over_commit', 'host'))
#: 2.25: no disk_over_commit; block_migration may be "auto"
MIGRATE_LIVE_V225 = common.strict_object(
    {'block_migration': _BLOCK_MIGRATION_V225,
     'host': common.HOST_OR_NONE},
    required=('block_migration', 'host'))
#: 2.30-2.67: adds force
MIGRATE_LIVE_V230 = common.strict_object(
    {'block_migration': _BLOCK_MIGRATION_V225,
     'host': common.HOST_OR_NONE,
     'force': common.BOOLEAN},
    required=('block_migration', 'host'))
