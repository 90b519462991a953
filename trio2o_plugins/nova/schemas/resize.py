"""Body of ``resize``."""

from trio2o_plugins.nova.schemas import common

RESIZE = common.strict_object(
    {'flavorRef': common.FLAVOR_REF, 'OS-DCF:diskConfig': common.DISK_CONFIG},
    required=('flavorRef',))
