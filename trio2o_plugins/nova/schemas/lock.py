"""Body of ``lock`` from 2.73: ``null`` or a reason (before: any)."""

from trio2o_plugins.nova.schemas import common

LOCK_V273 = common.strict_object(
    {'locked_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    nullable=True)
