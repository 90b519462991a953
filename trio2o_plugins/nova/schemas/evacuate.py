"""Bodies of ``evacuate``, per microversion."""

from trio2o_plugins.nova.schemas import common

EVACUATE = common.strict_object(
    {'host': common.FQDN, 'onSharedStorage': common.BOOLEAN,
     'adminPass': common.ADMIN_PASSWORD},
    required=('onSharedStorage',))
#: 2.14-2.28 and 2.68+: no onSharedStorage
EVACUATE_V214 = common.strict_object(
    {'host': common.FQDN, 'adminPass': common.ADMIN_PASSWORD})
#: 2.29-2.67: adds force
EVACUATE_V229 = common.strict_object(
    {'host': common.FQDN, 'adminPass': common.ADMIN_PASSWORD,
     'force': common.BOOLEAN})
