"""Bodies of ``unshelve`` (any before 2.77)."""

from trio2o_plugins.nova.schemas import common

#: 2.77-2.90: ``null`` or an availability zone
UNSHELVE_V277 = common.strict_object(
    {'availability_zone': common.NAME}, required=('availability_zone',),
    nullable=True)
#: 2.91+: ``null``, or a zone (``null`` unpins) and/or a host
UNSHELVE_V291 = common.strict_object(
    {'availability_zone': {'type': ['string', 'null']},
     'host': {'type': 'string'}}, nullable=True)
