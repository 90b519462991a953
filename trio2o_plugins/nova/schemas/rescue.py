"""Body of ``rescue``."""

from trio2o_plugins.nova.schemas import common

RESCUE = common.strict_object(
    {'adminPass': common.ADMIN_PASSWORD,
     'rescue_image_ref': common.IMAGE_ID}, nullable=True)
