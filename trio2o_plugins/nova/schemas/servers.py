"""Bodies of ``POST /servers`` and ``PUT /servers/{id}``, and the query
of ``GET /servers[/detail]``, per microversion, as Nova 34 defines them.

Each table is a tuple of ``(min_version, max_version, schema)`` for
:func:`trio2o_core.plugin.microversion.pick`.
"""

from __future__ import annotations

import copy

from trio2o_plugins.nova.schemas import common

Schema = common.Schema

#: Nova's limits on server tags
MAX_TAG_LENGTH = 60
MAX_TAG_COUNT = 50

_UUID: Schema = {'type': 'string', 'format': 'uuid'}
_POSITIVE_INTEGER: Schema = {'type': ['integer', 'string'],
                             'pattern': '^[0-9]*$', 'minimum': 1,
                             'minLength': 1}
_TAG: Schema = {'type': 'string', 'pattern': '^[^,/]*$', 'minLength': 1,
                'maxLength': MAX_TAG_LENGTH}
_IMAGE_ID_OR_EMPTY: Schema = {'oneOf': [
    {'type': 'string', 'format': 'uuid'},
    {'type': 'string', 'maxLength': 0},
]}
_VOLUME_SIZE: Schema = {'type': ['integer', 'string'],
                        'pattern': '^[0-9]+$', 'minimum': 1,
                        'maximum': 0x7FFFFFFF}
_VOLUME_TYPE: Schema = {'type': ['string', 'null'], 'minLength': 0,
                        'maxLength': 255}

_LEGACY_BDM: Schema = common.strict_object({
    'virtual_name': {'type': 'string', 'maxLength': 255},
    'volume_id': _UUID,
    'snapshot_id': _UUID,
    'volume_size': _VOLUME_SIZE,
    'device_name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                    'pattern': '^[a-zA-Z0-9._/-]*$'},
    'delete_on_termination': common.BOOLEAN,
    'no_device': {},
    'connection_info': {'type': 'string', 'maxLength': 16777215},
})
_BDM_V2: Schema = common.strict_object({
    **_LEGACY_BDM['properties'],
    'source_type': {'type': 'string',
                    'enum': ['volume', 'image', 'snapshot', 'blank']},
    'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': '^[a-zA-Z0-9._-]*$'},
    'image_id': _UUID,
    'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
    'guest_format': {'type': 'string', 'maxLength': 255},
    'device_type': {'type': 'string', 'maxLength': 255},
    'disk_bus': {'type': 'string', 'maxLength': 255},
    'boot_index': {'type': ['integer', 'string', 'null'],
                   'pattern': '^-?[0-9]+$'},
})

_HINTS: Schema = {
    'type': 'object',
    'properties': {
        'group': {'oneOf': [{'type': 'array', 'items': _UUID}, _UUID]},
        'different_host': {'oneOf': [_UUID,
                                     {'type': 'array', 'items': _UUID}]},
        'same_host': {'type': ['string', 'array'], 'items': _UUID},
        'query': {'type': ['string', 'object']},
        'target_cell': common.NAME,
        'different_cell': {'type': ['string', 'array'],
                           'items': {'type': 'string'}},
        'build_near_host_ip': common.IP_ADDRESS,
        'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
    },
    'additionalProperties': True,
}

_NETWORKS_V21: Schema = {'type': 'array', 'items': common.strict_object({
    'fixed_ip': common.IP_ADDRESS,
    'port': {'type': ['string', 'null'], 'format': 'uuid'},
    'uuid': {'type': 'string'},
})}


def _networks_v237(tagged: bool) -> Schema:
    item = {
        'fixed_ip': common.IP_ADDRESS,
        'port': {'type': ['string', 'null'], 'format': 'uuid'},
        'uuid': _UUID,
    }
    if tagged:
        item['tag'] = _TAG
    return {'oneOf': [{'type': 'array', 'items': common.strict_object(item)},
                      {'type': 'string', 'enum': ['none', 'auto']}]}


def _create(server: Schema, required: tuple[str, ...]) -> Schema:
    return {
        'type': 'object',
        'properties': {
            'server': common.strict_object(server, required=required),
            'os:scheduler_hints': _HINTS,
            'OS-SCH-HNT:scheduler_hints': _HINTS,
        },
        'required': ['server'],
        'additionalProperties': False,
    }


def _with_bdm_property(server: Schema, name: str,
                       value: Schema) -> Schema:
    server = copy.deepcopy(server)
    server['block_device_mapping_v2']['items']['properties'][name] = value
    return server


_SERVER_V21: Schema = {
    'name': common.NAME,
    'imageRef': _IMAGE_ID_OR_EMPTY,
    'flavorRef': common.FLAVOR_REF,
    'adminPass': common.ADMIN_PASSWORD,
    'metadata': common.METADATA,
    'networks': _NETWORKS_V21,
    'OS-DCF:diskConfig': common.DISK_CONFIG,
    'accessIPv4': common.IPV4,
    'accessIPv6': common.IPV6,
    'personality': common.PERSONALITY,
    'availability_zone': common.NAME,
    'block_device_mapping': {'type': 'array', 'items': _LEGACY_BDM},
    'block_device_mapping_v2': {'type': 'array', 'items': _BDM_V2},
    'config_drive': common.BOOLEAN,
    'key_name': common.NAME,
    'min_count': _POSITIVE_INTEGER,
    'max_count': _POSITIVE_INTEGER,
    'return_reservation_id': common.BOOLEAN,
    'security_groups': {'type': 'array', 'items': common.strict_object({
        'name': common.NAME})},
    'user_data': {'type': 'string', 'format': 'base64',
                  'maxLength': 65535},
}
_SERVER_V219 = {**_SERVER_V21, 'description': common.DESCRIPTION}
_SERVER_V232 = _with_bdm_property(
    {**_SERVER_V219, 'networks': copy.deepcopy(_NETWORKS_V21)}, 'tag', _TAG)
_SERVER_V232['networks']['items']['properties']['tag'] = _TAG
_SERVER_V233 = {**_SERVER_V219, 'networks': copy.deepcopy(_NETWORKS_V21)}
_SERVER_V233['networks']['items']['properties']['tag'] = _TAG
_SERVER_V237 = {**_SERVER_V233, 'networks': _networks_v237(tagged=False)}
_SERVER_V242 = _with_bdm_property(
    {**_SERVER_V237, 'networks': _networks_v237(tagged=True)}, 'tag', _TAG)
_SERVER_V252 = {**_SERVER_V242, 'tags': {
    'type': 'array', 'items': _TAG, 'maxItems': MAX_TAG_COUNT}}
_SERVER_V257 = {k: v for k, v in _SERVER_V252.items()
                if k != 'personality'}
_SERVER_V263 = {**_SERVER_V257,
                'trusted_image_certificates': common.TRUSTED_CERTS}
_SERVER_V267 = _with_bdm_property(_SERVER_V263, 'volume_type', _VOLUME_TYPE)
_SERVER_V274 = {**_SERVER_V267, 'host': common.FQDN,
                'hypervisor_hostname': common.FQDN}
_SERVER_V290 = {**_SERVER_V274, 'hostname': common.HOSTNAME}
_SERVER_V294 = {**_SERVER_V274, 'hostname': common.FQDN}

_REQUIRED = ('name', 'flavorRef')
_REQUIRED_V237 = ('name', 'flavorRef', 'networks')

#: ``POST /servers`` bodies
CREATE: tuple[tuple[str, str | None, Schema], ...] = (
    ('2.1', '2.18', _create(_SERVER_V21, _REQUIRED)),
    ('2.19', '2.31', _create(_SERVER_V219, _REQUIRED)),
    ('2.32', '2.32', _create(_SERVER_V232, _REQUIRED)),
    ('2.33', '2.36', _create(_SERVER_V233, _REQUIRED)),
    ('2.37', '2.41', _create(_SERVER_V237, _REQUIRED_V237)),
    ('2.42', '2.51', _create(_SERVER_V242, _REQUIRED_V237)),
    ('2.52', '2.56', _create(_SERVER_V252, _REQUIRED_V237)),
    ('2.57', '2.62', _create(_SERVER_V257, _REQUIRED_V237)),
    ('2.63', '2.66', _create(_SERVER_V263, _REQUIRED_V237)),
    ('2.67', '2.73', _create(_SERVER_V267, _REQUIRED_V237)),
    ('2.74', '2.89', _create(_SERVER_V274, _REQUIRED_V237)),
    ('2.90', '2.93', _create(_SERVER_V290, _REQUIRED_V237)),
    ('2.94', None, _create(_SERVER_V294, _REQUIRED_V237)),
)


def _update(server: Schema) -> Schema:
    return {'type': 'object',
            'properties': {'server': common.strict_object(server)},
            'required': ['server'], 'additionalProperties': False}


_UPDATE_V21: Schema = {
    'name': common.NAME,
    'OS-DCF:diskConfig': common.DISK_CONFIG,
    'accessIPv4': common.IPV4,
    'accessIPv6': common.IPV6,
}
_UPDATE_V219 = {**_UPDATE_V21, 'description': common.DESCRIPTION}
_UPDATE_V294 = {**_UPDATE_V219, 'hostname': common.FQDN}

#: ``PUT /servers/{id}`` bodies
UPDATE: tuple[tuple[str, str | None, Schema], ...] = (
    ('2.1', '2.18', _update(_UPDATE_V21)),
    ('2.19', '2.89', _update(_UPDATE_V219)),
    ('2.90', '2.93', _update({**_UPDATE_V219,
                              'hostname': common.HOSTNAME})),
    ('2.94', '2.103', _update(_UPDATE_V294)),
    ('2.104', None, _update({**_UPDATE_V294,
                             'pinned_availability_zone':
                             common.NAME_OR_NONE})),
)


def _multi(item: Schema) -> Schema:
    """A query parameter: every value is a list of strings."""
    return {'type': 'array', 'items': item}


_PARAM = _multi({'type': 'string'})
_REGEX_PARAM = _multi({'type': 'string', 'format': 'regex'})
_DATE_TIME_PARAM = _multi({'type': 'string', 'format': 'date-time'})

#: parameters naming joined tables: known (so never stripped) but
#: refused by Nova as filters
JOINED_TABLE_PARAMS = ('block_device_mapping', 'services', 'metadata',
                       'system_metadata', 'info_cache', 'security_groups',
                       'pci_devices')

#: sort keys accepted but ignored before 2.73 (and refused from 2.75)
IGNORED_SORT_KEYS = (
    'architecture', 'cell_name', 'cleaned', 'default_ephemeral_device',
    'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate',
    'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on',
    'locked', 'memory_mb', 'os_type', 'reservation_id', 'root_gb',
    'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode')
#: from 2.73 ``locked`` is a real sort key
IGNORED_SORT_KEYS_V273 = tuple(k for k in IGNORED_SORT_KEYS
                               if k != 'locked')
#: the sort keys servers are really sorted by
SORT_KEYS = (
    'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone',
    'config_drive', 'created_at', 'display_description', 'display_name',
    'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id',
    'key_name', 'launch_index', 'launched_at', 'locked_by', 'node',
    'power_state', 'progress', 'project_id', 'ramdisk_id',
    'root_device_name', 'task_state', 'terminated_at', 'updated_at',
    'user_id', 'uuid', 'vm_state')


def _sort_keys(enum: tuple[str, ...]) -> Schema:
    return _multi({'type': 'string', 'enum': list(enum)})


_QUERY_V21: Schema = {
    'type': 'object',
    'properties': {
        **{name: _PARAM for name in (
            'user_id', 'project_id', 'tenant_id', 'launch_index',
            'image_ref', 'image', 'vm_state', 'task_state', 'host', 'uuid',
            'sort_dir', 'all_tenants', 'soft_deleted', 'deleted',
            'status')},
        **{name: _REGEX_PARAM for name in (
            'kernel_id', 'ramdisk_id', 'hostname', 'key_name',
            'power_state', 'node', 'flavor', 'reservation_id',
            'launched_at', 'terminated_at', 'availability_zone', 'name',
            'display_name', 'description', 'display_description',
            'locked_by', 'root_device_name', 'config_drive',
            'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'progress',
            'ip', 'ip6', 'created_at')},
        'sort_key': _sort_keys(SORT_KEYS + IGNORED_SORT_KEYS),
        'changes-since': _DATE_TIME_PARAM,
        **{name: _PARAM for name in JOINED_TABLE_PARAMS},
        'limit': _multi(common.NON_NEGATIVE_INTEGER),
        'marker': _PARAM,
    },
    'additionalProperties': True,
    'patternProperties': {'^_': _PARAM},
}


def _query(base: Schema, **properties: Schema) -> Schema:
    schema = copy.deepcopy(base)
    schema['properties'].update(properties)
    return schema


_QUERY_V226 = _query(_QUERY_V21, **{
    name: _REGEX_PARAM
    for name in ('tags', 'tags-any', 'not-tags', 'not-tags-any')})
_QUERY_V266 = _query(_QUERY_V226, **{'changes-before': _DATE_TIME_PARAM})
_QUERY_V273 = _query(_QUERY_V266, locked=_PARAM, sort_key=_sort_keys(
    ('locked',) + SORT_KEYS + IGNORED_SORT_KEYS_V273))
_QUERY_V275 = _query(_QUERY_V273,
                     sort_key=_sort_keys(('locked',) + SORT_KEYS))
_QUERY_V275['additionalProperties'] = False

#: ``GET /servers`` and ``/servers/detail`` queries (a dict of lists)
INDEX_QUERY: tuple[tuple[str, str | None, Schema], ...] = (
    ('2.1', '2.25', _QUERY_V21),
    ('2.26', '2.65', _QUERY_V226),
    ('2.66', '2.72', _QUERY_V266),
    ('2.73', '2.74', _QUERY_V273),
    ('2.75', None, _QUERY_V275),
)
