"""Body of ``changePassword``."""

from trio2o_plugins.nova.schemas import common

CHANGE_PASSWORD = common.strict_object(
    {'adminPass': common.ADMIN_PASSWORD}, required=('adminPass',))
