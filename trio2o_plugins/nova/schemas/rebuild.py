"""Bodies of ``rebuild``, per microversion."""

from trio2o_plugins.nova.schemas import common

_V21 = {
    'name': common.NAME,
    'imageRef': common.IMAGE_ID,
    'adminPass': common.ADMIN_PASSWORD,
    'metadata': common.METADATA,
    'preserve_ephemeral': common.BOOLEAN,
    'OS-DCF:diskConfig': common.DISK_CONFIG,
    'accessIPv4': common.IPV4,
    'accessIPv6': common.IPV6,
    'personality': common.PERSONALITY,
}
_V219 = {**_V21, 'description': common.DESCRIPTION}
_V254 = {**_V219, 'key_name': common.NAME_OR_NONE}
_V257 = {**{k: v for k, v in _V254.items() if k != 'personality'},
         'user_data': common.USER_DATA}
_V263 = {**_V257, 'trusted_image_certificates': common.TRUSTED_CERTS}
_V290 = {**_V263, 'hostname': common.HOSTNAME}
_V294 = {**_V263, 'hostname': common.FQDN}


def _rebuild(properties: common.Schema) -> common.Schema:
    return common.strict_object(properties, required=('imageRef',))


REBUILD = _rebuild(_V21)
#: adds description
REBUILD_V219 = _rebuild(_V219)
#: adds key_name
REBUILD_V254 = _rebuild(_V254)
#: drops personality, adds user_data
REBUILD_V257 = _rebuild(_V257)
#: adds trusted_image_certificates
REBUILD_V263 = _rebuild(_V263)
#: adds hostname (a label)
REBUILD_V290 = _rebuild(_V290)
#: hostname becomes a fully qualified name
REBUILD_V294 = _rebuild(_V294)
