"""The query of ``GET /servers[/detail]``, validated as Nova does, and
the merged order it asks for (see :mod:`trio2o_core.plugin.merge`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import FieldOrder
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import comparable
from trio2o_core.plugin import microversion
from trio2o_core.plugin import parse_limit
from trio2o_core.plugin import parse_marker
from trio2o_core.plugin import validate_query
from trio2o_plugins.nova.schemas import common
from trio2o_plugins.nova.schemas import servers as schemas

PAGING_SORTING = ('sort_key', 'sort_dir', 'limit', 'marker')
ALL_TENANTS_RULE = 'os_compute_api:servers:{view}:get_all_tenants'
_ADMIN_SORT_KEYS = ('host', 'node')
_TRUE = ('1', 't', 'true', 'on', 'y', 'yes')
_FALSE = ('0', 'f', 'false', 'off', 'n', 'no')

#: sort key -> the server attribute showing it
_SHOWN = {
    'access_ip_v4': 'accessIPv4', 'access_ip_v6': 'accessIPv6',
    'config_drive': 'config_drive', 'created_at': 'created',
    'display_description': 'description', 'display_name': 'name',
    'host': 'OS-EXT-SRV-ATTR:host', 'hostname': 'OS-EXT-SRV-ATTR:hostname',
    'kernel_id': 'OS-EXT-SRV-ATTR:kernel_id', 'key_name': 'key_name',
    'launch_index': 'OS-EXT-SRV-ATTR:launch_index',
    'launched_at': 'OS-SRV-USG:launched_at', 'locked': 'locked',
    'node': 'OS-EXT-SRV-ATTR:hypervisor_hostname',
    'power_state': 'OS-EXT-STS:power_state', 'project_id': 'tenant_id',
    'ramdisk_id': 'OS-EXT-SRV-ATTR:ramdisk_id',
    'root_device_name': 'OS-EXT-SRV-ATTR:root_device_name',
    'task_state': 'OS-EXT-STS:task_state',
    'terminated_at': 'OS-SRV-USG:terminated_at', 'updated_at': 'updated',
    'user_id': 'user_id', 'uuid': 'id', 'vm_state': 'OS-EXT-STS:vm_state',
}
#: keys shown coarser than pods sort them (seconds; NULL and '' alike)
_COARSE = frozenset({'created_at', 'updated_at', 'access_ip_v4',
                     'access_ip_v6'})
#: filters a non-admin may use, by the microversion that allows them
_USER_FILTERS = (
    ('2.1', ('reservation_id', 'name', 'status', 'image', 'flavor', 'ip',
             'changes-since', 'all_tenants')),
    ('2.5', ('ip6',)),
    ('2.26', ('tags', 'tags-any', 'not-tags', 'not-tags-any')),
    ('2.66', ('changes-before',)),
    ('2.73', ('locked',)),
    ('2.83', ('availability_zone', 'config_drive', 'key_name',
              'created_at', 'launched_at', 'terminated_at', 'power_state',
              'task_state', 'vm_state', 'progress', 'user_id')),
    ('2.90', ('hostname',)),
)


def shown(record: Mapping[str, Any], key: str) -> tuple[Any, ...] | None:
    """Return the normalised shown value of ``key``, None when hidden."""
    if key == 'image_ref':
        if 'image' not in record:
            return None
        image = record['image']
        return comparable(image.get('id') if isinstance(image, dict)
                       else image or '')
    if key == 'auto_disk_config':
        if 'OS-DCF:diskConfig' not in record:
            return None
        return comparable(record['OS-DCF:diskConfig'] == 'AUTO')
    attribute = _SHOWN.get(key)
    if attribute is None or attribute not in record:
        return None
    return comparable(record[attribute])


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """A validated list request."""

    detail: bool
    #: filters passed on to every pod (``all_tenants`` included)
    filters: list[tuple[str, str]]
    order: FieldOrder
    limit: int
    marker: str | None
    all_tenants: bool
    #: the query the next link repeats
    link_params: list[tuple[str, str]]
    #: list the servers of down pods as UNKNOWN records (2.69)
    down_records: bool


def _bool(value: str) -> bool:
    """Parse a boolean query value strictly, as Nova's strutils does.

    :raises BadRequest: ``Unrecognized value 'x', acceptable values are:
        ...``.
    """
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    accepted = ', '.join(f"'{v}'" for v in sorted(_TRUE + _FALSE))
    raise BadRequest(f"Unrecognized value '{value}', acceptable values "
                     f'are: {accepted}')


def _user_filters(request: webob.Request) -> set[str]:
    allowed: set[str] = set()
    for version, names in _USER_FILTERS:
        if microversion.at_least(request, version):
            allowed.update(names)
    return allowed


def _order(request: webob.Request, keys: list[str], dirs: list[str],
           is_admin: bool) -> FieldOrder:
    """Build the merged order as Nova does: ignored keys dropped with
    their directions, missing directions copied from the first one,
    ``created_at`` and then ``uuid`` appended.

    :raises Forbidden: a non-admin sorts by host or node.
    :raises BadRequest: a bad direction, or more directions than keys.
    """
    ignored = (schemas.IGNORED_SORT_KEYS_V273
               if microversion.at_least(request, '2.73')
               else schemas.IGNORED_SORT_KEYS)
    keys = list(keys) or ['created_at']
    dirs = list(dirs) or ['desc']
    for key in list(keys):
        if key in ignored:
            index = keys.index(key)
            if len(dirs) > index:
                dirs.pop(index)
            keys.pop(index)
        elif key in _ADMIN_SORT_KEYS and not is_admin:
            raise Forbidden(f'Only administrators can sort servers by {key}')
    if not keys:
        keys, dirs = ['created_at'], ['desc']
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise BadRequest("Invalid input received: Unknown sort "
                             "direction, must be 'desc' or 'asc'")
    if len(dirs) > len(keys):
        raise BadRequest('Invalid input received: Sort direction size '
                         'exceeds sort key size')
    first = dirs[0] if dirs else 'asc'
    dirs += [first] * (len(keys) - len(dirs))
    for default in ('created_at', 'uuid'):
        if default not in keys:
            keys.append(default)
            dirs.append(first)
    return FieldOrder(tuple(keys), tuple(d == 'desc' for d in dirs),
                      shown, _COARSE)


def parse(request: webob.Request, gateway: Gateway,
          detail: bool) -> ListRequest:
    """Validate a list request and return what it asks for.

    :raises BadRequest: a query value Nova refuses, with Nova's message.
    :raises Forbidden: ``all_tenants`` without the right, or a non-admin
        sorting by host or node.
    """
    schema = common.for_request(schemas.INDEX_QUERY, request)
    params = request.GET.dict_of_lists()
    validate_query(schema, params)
    known = set(schema['properties'])
    kept = [(name, value) for name, value in request.GET.items()
            if name in known or name.startswith('_')]
    context = request.context
    names = {name for name, _ in kept}
    if context.is_admin:
        search = names - set(PAGING_SORTING)
    else:
        search = names & _user_filters(request)
    values = dict(kept)
    all_tenants = False
    if 'all_tenants' in search:
        all_tenants = (_bool(values['all_tenants'])
                       if values['all_tenants'] else True)
    if all_tenants:
        view = 'detail' if detail else 'index'
        gateway.enforce(context, ALL_TENANTS_RULE.format(view=view),
                        {'project_id': context.project_id})
    order = _order(request, [v.strip() for v in
                             request.GET.getall('sort_key')],
                   [v.strip() for v in request.GET.getall('sort_dir')],
                   context.is_admin)
    limit = parse_limit(values, gateway.conf.api.max_limit)
    down_records = (microversion.at_least(request, '2.69')
                    and not names & set(PAGING_SORTING)
                    and search <= {'all_tenants'})
    return ListRequest(
        detail=detail,
        filters=[(n, v) for n, v in kept if n not in PAGING_SORTING],
        order=order, limit=limit, marker=parse_marker(values),
        all_tenants=all_tenants, link_params=kept,
        down_records=down_records)


