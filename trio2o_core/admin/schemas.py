"""Request bodies and query strings of the admin API."""

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'format': 'name'}
_OPTIONAL_NAME = {'type': ['string', 'null'], 'maxLength': 255}
_ID = {'type': 'string', 'minLength': 1, 'maxLength': 36}
_BOOL = {'type': 'boolean'}

_POD_FIELDS = {
    'name': _NAME,
    'az_name': _NAME,
    'pod_az_name': _OPTIONAL_NAME,
    'dc_name': _OPTIONAL_NAME,
    'enabled': _BOOL,
    'weight': {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1},
    'draining': _BOOL,
    'identity': {'type': 'string', 'enum': ['shared', 'k2k']},
    'service_provider': _OPTIONAL_NAME,
}

create_pod = {
    'type': 'object',
    'properties': {'pod': {
        'type': 'object', 'properties': _POD_FIELDS,
        'required': ['name', 'az_name'], 'additionalProperties': False}},
    'required': ['pod'], 'additionalProperties': False,
}

update_pod = {
    'type': 'object',
    'properties': {'pod': {
        'type': 'object', 'properties': _POD_FIELDS, 'minProperties': 1,
        'additionalProperties': False}},
    'required': ['pod'], 'additionalProperties': False,
}

create_binding = {
    'type': 'object',
    'properties': {'binding': {
        'type': 'object',
        'properties': {'project_id': {**_ID, 'maxLength': 255},
                       'az_name': _NAME, 'pod_id': _ID},
        'required': ['project_id', 'az_name', 'pod_id'],
        'additionalProperties': False}},
    'required': ['binding'], 'additionalProperties': False,
}

# booleans and integers are parsed by trio2o_core.plugin.query
_BOOL_QUERY = {'type': 'string'}

list_pods_query = {
    'type': 'object',
    'properties': {'az_name': {'type': 'string'}, 'enabled': _BOOL_QUERY},
    'additionalProperties': False,
}

list_bindings_query = {
    'type': 'object',
    'properties': {'project_id': {'type': 'string'},
                   'az_name': {'type': 'string'},
                   'pod_id': {'type': 'string'},
                   'is_active': _BOOL_QUERY},
    'additionalProperties': False,
}

list_routings_query = {
    'type': 'object',
    'properties': {'project_id': {'type': 'string'},
                   'pod_id': {'type': 'string'},
                   'resource_type': {'type': 'string'},
                   'limit': {'type': 'string'},
                   'marker': {'type': 'string'}},
    'additionalProperties': False,
}
