"""Body of ``addSecurityGroup`` and ``removeSecurityGroup``."""

from trio2o_plugins.nova.schemas import common

SECURITY_GROUP = common.strict_object(
    {'name': {'type': 'string', 'minLength': 1}}, required=('name',))
