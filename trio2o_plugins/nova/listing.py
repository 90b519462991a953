"""``GET /servers`` and ``GET /servers/detail``: one sorted, paged list
over every pod, as Nova's cells v2 lists over its cells.

How a page is made
    Every enabled pod holding a routing of the caller's project (every
    enabled pod for an admin with ``all_tenants``) is asked in parallel,
    each within ``[pods] timeout``, for its servers' details sorted by the
    request's keys (Nova's defaults added: ``created_at``, then ``uuid``
    as the final tie-break). A k-way heap merge takes the smallest head
    until the page is full; a pod is asked for its next batch
    (``max(100, ceil(limit / pods * 1.1))``, continuing from the pod's own
    last server) only when the merge has drained it. Only servers routed
    to the caller's project in that pod are kept (unless admin with
    ``all_tenants``).

Comparing servers of different pods
    The merge compares what the API shows, which is not always what a pod
    sorted by: ``created``/``updated`` show whole seconds while pods sort
    by microseconds, and some keys are not shown at all. A pod's answer
    is therefore cut into *blocks*: runs of servers that agree on the
    shown values of the keys up to the first key the pod may order
    differently (a coarse or hidden one). Such a run is contiguous in the
    pod's order, so each block, once complete, is re-sorted by the full
    shown key plus the server id. Every pod's stream is then sorted by
    one total order, and the merge of them is that order.

Markers
    A pod accepts as marker only a server of its own, so the marker is
    resolved to its pod, read, and its sort values taken; every pod's
    stream (the marker's own included) is then read from its start in
    large batches and the servers up to the marker's values are skipped.
    A later page therefore costs reading the earlier ones again, which
    keeps each page exact without state between requests.

Down pods (DESIGN §6)
    A pod known to be down, or failing or timing out now, is skipped and
    named in ``X-Trio2o-Partial``. From 2.69, when Nova would return
    records of unreachable cells (no filter but ``all_tenants``, no
    paging or sorting parameter), its routed servers are listed first as
    ``{id, status: UNKNOWN, links}`` (detail adds ``tenant_id`` and
    ``created``, the routing's creation time).
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
import json
import logging
import urllib.parse
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import jsonschema
import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Gathered
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodRefused
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import json_response
from trio2o_core.plugin import links
from trio2o_core.plugin import microversion
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.schemas import servers as schemas

LOG = logging.getLogger(__name__)

PAGING_SORTING = ('sort_key', 'sort_dir', 'limit', 'marker')
MIN_BATCH = 100
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
_HIDDEN = (0,)


def _normal(value: Any) -> tuple[Any, ...]:
    """Make any shown value comparable with any other."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (2, json.dumps(value, sort_keys=True))


def _shown(record: Mapping[str, Any], key: str) -> tuple[Any, ...] | None:
    """Return the normalised shown value of ``key``, None when hidden."""
    if key == 'image_ref':
        if 'image' not in record:
            return None
        image = record['image']
        return _normal(image.get('id') if isinstance(image, dict)
                       else image or '')
    if key == 'auto_disk_config':
        if 'OS-DCF:diskConfig' not in record:
            return None
        return _normal(record['OS-DCF:diskConfig'] == 'AUTO')
    attribute = _SHOWN.get(key)
    if attribute is None or attribute not in record:
        return None
    return _normal(record[attribute])


class SortKey:
    """A server's place in the merged order (lower sorts first)."""

    __slots__ = ('desc', 'values')

    def __init__(self, values: tuple[tuple[Any, ...], ...],
                 desc: tuple[bool, ...]) -> None:
        self.values = values
        self.desc = desc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.values == other.values

    def __lt__(self, other: SortKey) -> bool:
        for mine, theirs, desc in zip(self.values, other.values, self.desc,
                                      strict=True):
            if mine != theirs:
                return mine > theirs if desc else mine < theirs
        return False

    def __hash__(self) -> int:
        return hash(self.values)


@dataclasses.dataclass(frozen=True)
class Order:
    """Sort keys with their directions; the last key is ``uuid``."""

    keys: tuple[str, ...]
    desc: tuple[bool, ...]

    def params(self) -> list[tuple[str, str]]:
        """Return the ``sort_key``/``sort_dir`` parameters for a pod."""
        return ([('sort_key', key) for key in self.keys]
                + [('sort_dir', 'desc' if desc else 'asc')
                   for desc in self.desc])

    def key(self, record: Mapping[str, Any]) -> SortKey:
        """Return the record's place; hidden keys compare equal."""
        values = []
        for key in self.keys:
            shown = _shown(record, key)
            values.append(_HIDDEN if shown is None else shown)
        return SortKey(tuple(values), self.desc)

    def block(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """Return the values of the keys up to the first one a pod may
        order differently from what it shows; a pod lists records with
        equal blocks next to each other."""
        values = []
        for key in self.keys:
            shown = _shown(record, key)
            values.append(_HIDDEN if shown is None else shown)
            if shown is None or key in _COARSE:
                break
        return tuple(values)


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """A validated list request."""

    detail: bool
    #: filters passed on to every pod (``all_tenants`` included)
    filters: list[tuple[str, str]]
    order: Order
    limit: int
    marker: str | None
    all_tenants: bool
    #: the query the next link repeats
    link_params: list[tuple[str, str]]
    #: list the servers of down pods as UNKNOWN records (2.69)
    down_records: bool


def validate_query(schema: Mapping[str, Any],
                   params: Mapping[str, list[str]]) -> None:
    """Validate a query (a dict of lists) as Nova does: the first error,
    Nova's formats (a regex must be non-empty, a date-time ISO 8601).

    :raises BadRequest: ``Invalid input for query parameters <name>.
        Value: <value>. <reason>``.
    """
    cls = jsonschema.validators.validator_for(schema)
    error = next(cls(schema, format_checker=_FORMATS).iter_errors(params),
                 None)
    if error is None:
        return
    if error.path:
        raise BadRequest(
            f'Invalid input for query parameters {error.path[0]}. Value: '
            f'{error.instance}. {error.message}')
    raise BadRequest(error.message)


_FORMATS = jsonschema.FormatChecker(())


@_FORMATS.checks('regex')
def _is_regex(value: object) -> bool:
    import re

    if not isinstance(value, str):
        return True
    if not value:
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


@_FORMATS.checks('date-time')
def _is_date_time(value: object) -> bool:
    import datetime

    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


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
           is_admin: bool) -> Order:
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
    return Order(tuple(keys), tuple(d == 'desc' for d in dirs))


def parse(request: webob.Request, gateway: Gateway,
          detail: bool) -> ListRequest:
    """Validate a list request and return what it asks for.

    :raises BadRequest: a query value Nova refuses, with Nova's message.
    :raises Forbidden: ``all_tenants`` without the right, or a non-admin
        sorting by host or node.
    """
    schema = microversion.pick(schemas.INDEX_QUERY, request)
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
    max_limit = gateway.conf.api.max_limit
    limit = (min(int(values['limit']), max_limit) if 'limit' in values
             else max_limit)
    down_records = (microversion.at_least(request, '2.69')
                    and not names & set(PAGING_SORTING)
                    and search <= {'all_tenants'})
    return ListRequest(
        detail=detail,
        filters=[(n, v) for n, v in kept if n not in PAGING_SORTING],
        order=order, limit=limit, marker=values.get('marker'),
        all_tenants=all_tenants, link_params=kept,
        down_records=down_records)


Fetch = Callable[[str | None, int], tuple[list[dict[str, Any]], bool]]


class PodStream:
    """One pod's servers in the merged order.

    ``fetch(pod_marker, limit)`` returns a batch of the pod's servers in
    the pod's order and whether more may follow. Batches are cut into
    blocks (:meth:`Order.block`), each sorted once complete; servers not
    in ``allowed`` (when given) and those not after ``after`` are dropped.
    Until the first server after ``after`` is seen, batches of
    ``skip_batch`` are asked for, then of ``batch``.
    """

    def __init__(self, fetch: Fetch, order: Order,
                 allowed: Iterable[str] | None, after: SortKey | None,
                 batch: int, skip_batch: int) -> None:
        self._fetch_batch = fetch
        self._order = order
        self._allowed = None if allowed is None else set(allowed)
        self._after = after
        self._batch = batch
        self._skip_batch = skip_batch
        self._ready: collections.deque[dict[str, Any]] = collections.deque()
        self._block: list[dict[str, Any]] = []
        self._block_key: tuple[Any, ...] | None = None
        self._pod_marker: str | None = None
        self._more = True
        self._passed = after is None
        self.failed: BaseException | None = None

    def head(self) -> dict[str, Any] | None:
        """Return the next server without taking it; None at the end.

        A failure to fetch ends the stream and is kept in ``failed``.
        """
        while not self._ready and (self._more or self._block):
            if not self._more:
                self._flush()
                continue
            try:
                self._fetch()
            except Exception as exc:
                self.failed = exc
                self._more = False
                self._block = []
        return self._ready[0] if self._ready else None

    def pop(self) -> dict[str, Any]:
        """Take the server :meth:`head` returned."""
        return self._ready.popleft()

    def _fetch(self) -> None:
        limit = self._batch if self._passed else self._skip_batch
        records, more = self._fetch_batch(self._pod_marker, limit)
        if records:
            self._pod_marker = records[-1]['id']
        self._more = more and bool(records)
        for record in records:
            block = self._order.block(record)
            if self._block_key is not None and block != self._block_key:
                self._flush()
            self._block_key = block
            if self._after is not None and not self._passed:
                self._passed = self._after < self._order.key(record)
            if self._allowed is None or record['id'] in self._allowed:
                self._block.append(record)
        if not self._more:
            self._flush()

    def _flush(self) -> None:
        keyed = sorted(((self._order.key(r), r) for r in self._block),
                       key=lambda pair: pair[0])
        self._block = []
        for key, record in keyed:
            if self._after is None or self._after < key:
                self._ready.append(record)


def merge(streams: list[PodStream], order: Order,
          limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Return up to ``limit`` ``(stream index, record)`` pairs, smallest
    first, asking a stream for more only when it is drained."""
    heap: list[tuple[SortKey, int]] = []
    for index, stream in enumerate(streams):
        record = stream.head()
        if record is not None:
            heap.append((order.key(record), index))
    heapq.heapify(heap)
    page: list[tuple[int, dict[str, Any]]] = []
    while heap and len(page) < limit:
        _, index = heapq.heappop(heap)
        page.append((index, streams[index].pop()))
        if len(page) < limit:
            record = streams[index].head()
            if record is not None:
                heapq.heappush(heap, (order.key(record), index))
    return page


class ServerLister:
    """Answers the list calls of one compute service."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def respond(self, request: webob.Request,
                detail: bool) -> webob.Response:
        """Answer ``GET /servers`` (``detail`` False) or
        ``/servers/detail``.

        :raises BadRequest, Forbidden: see :func:`parse`; an unknown
            marker (``marker [<id>] not found``).
        :raises PodUnavailable: the marker's pod is down.
        """
        query = parse(request, self.gateway, detail)
        context = request.context
        pods = self.gateway.list_pods()
        if query.all_tenants:
            allowed: dict[str, set[str]] | None = None
            candidates = pods
        else:
            routings = self.gateway.list_routings(context, forward.RESOURCE)
            allowed = collections.defaultdict(set)
            for routing in routings:
                allowed[routing.pod.id].add(routing.top_id)
            candidates = [pod for pod in pods if pod.id in allowed]
        caller = forward.pods(self.gateway, request)
        try:
            after = self._marker_key(caller, request, query, candidates)
        except PodRefused as refused:
            return caller.relay(refused.pod, refused.reply)
        gathered = self._open(caller, query, candidates, allowed, after)
        refused_answer = forward.refusal(caller, gathered)
        if refused_answer is not None:
            return refused_answer
        streams = gathered.items()
        page = merge([s for _, s in streams], query.order, query.limit)
        for pod, stream in streams:
            if stream.failed is not None:
                LOG.warning('pod %s left out of the server list (request '
                            '%s): %s', pod.name, caller.request_id,
                            stream.failed)
                gathered.failed.append(pod)
        items = [self._item(caller, streams[index][0], record, detail)
                 for index, record in page]
        down = gathered.missing
        if query.down_records and down:
            items = self._unknown(request, query, down, allowed,
                                  query.limit - len(items)) + items
        body: dict[str, Any] = {'servers': items}
        if query.limit and len(items) == query.limit:
            body['servers_links'] = [{'rel': 'next', 'href': _next_link(
                request, query, items[-1]['id'])}]
        response = json_response(body)
        gathered.mark_partial(response)
        return response

    def _marker_key(self, caller: PodCaller, request: webob.Request,
                    query: ListRequest,
                    candidates: list[Pod]) -> SortKey | None:
        """Return the marker's place in the merged order.

        :raises BadRequest: the marker is not a server the caller sees.
        :raises PodUnavailable: the marker's pod is down.
        :raises PodRefused: the marker's pod answered an error.
        """
        marker = query.marker
        if marker is None:
            return None
        not_found = BadRequest(f'marker [{marker}] not found')
        routing = self.gateway.lookup(request.context, marker,
                                      forward.RESOURCE)
        if routing is not None:
            if self.gateway.is_down(routing.pod):
                raise PodUnavailable(routing.pod.name)
            pods = [routing.pod]
        elif query.all_tenants:
            # an admin may page from a server the gateway did not create
            pods = [pod for pod in candidates
                    if not self.gateway.is_down(pod)]
        else:
            raise not_found
        for pod in pods:
            try:
                answer = caller.call(pod, 'GET', f'servers/{marker}')
            except PodUnavailable:
                if routing is not None:
                    raise
                continue
            if answer.status_code == 200:
                return query.order.key(answer.json()['server'])
            if answer.status_code != 404:
                raise PodRefused(pod, answer)
        raise not_found

    def _open(self, caller: PodCaller, query: ListRequest,
              pods: list[Pod], allowed: Mapping[str, set[str]] | None,
              after: SortKey | None) -> Gathered[PodStream]:
        """Start a stream per pod, in parallel (a pod refusing the query
        with a 4xx is in ``refused``)."""
        max_limit = self.gateway.conf.api.max_limit
        if query.limit == 0 or not pods:
            return Gathered({pod.id: pod for pod in pods}, down=[
                pod for pod in pods if self.gateway.is_down(pod)])
        if len(pods) == 1:
            batch = query.limit
        else:
            # ceil(limit / pods * 1.1), in integers
            share = -(-query.limit * 11 // (10 * len(pods)))
            batch = max(MIN_BATCH, min(query.limit, share))

        def start(pod: Pod) -> PodStream:
            stream = PodStream(
                self._fetcher(caller, query, pod), query.order,
                None if allowed is None else allowed[pod.id], after,
                batch=batch, skip_batch=max(batch, max_limit))
            stream.head()
            if stream.failed is not None:
                raise stream.failed
            return stream

        return caller.gather(pods, start)

    def _fetcher(self, caller: PodCaller, query: ListRequest,
                 pod: Pod) -> Fetch:
        def fetch(pod_marker: str | None,
                  limit: int) -> tuple[list[dict[str, Any]], bool]:
            params = [*query.filters, *query.order.params(),
                      ('limit', str(limit))]
            if pod_marker is not None:
                params.append(('marker', pod_marker))
            body = forward.checked(pod, caller.call(
                pod, 'GET', 'servers/detail', params=params)).json()
            more = any(link.get('rel') == 'next'
                       for link in body.get('servers_links', ()))
            return body.get('servers', []), more
        return fetch

    def _item(self, caller: PodCaller, pod: Pod,
              record: dict[str, Any], detail: bool) -> dict[str, Any]:
        if not detail:
            record = {'id': record['id'], 'name': record.get('name'),
                      'links': record.get('links', [])}
        return caller.translate(pod, record)

    def _unknown(self, request: webob.Request, query: ListRequest,
                 down: list[Pod], allowed: Mapping[str, set[str]] | None,
                 room: int) -> list[dict[str, Any]]:
        """Return the UNKNOWN records of the servers routed to ``down``
        pods, at most ``room`` of them."""
        routings: list[Routing] = []
        for pod in sorted(set(down), key=lambda p: p.name):
            for routing in self.gateway.list_routings(
                    request.context, forward.RESOURCE,
                    all_projects=query.all_tenants, pod_id=pod.id):
                if allowed is None or routing.top_id in allowed[pod.id]:
                    routings.append(routing)
        base = links.gateway_url(request)
        records = []
        for routing in routings[:max(room, 0)]:
            record: dict[str, Any] = {'id': routing.top_id,
                                      'status': 'UNKNOWN'}
            if query.detail:
                record['tenant_id'] = routing.project_id
                record['created'] = _isotime(routing.created_at)
            record['links'] = [
                {'rel': 'self',
                 'href': f'{base}/v2.1/servers/{routing.top_id}'},
                {'rel': 'bookmark',
                 'href': f'{base}/servers/{routing.top_id}'}]
            records.append(record)
        return records


def _isotime(value: Any) -> str | None:
    return None if value is None else value.strftime('%Y-%m-%dT%H:%M:%SZ')


def _next_link(request: webob.Request, query: ListRequest,
               marker: str) -> str:
    """Nova's next link: the query sorted, one value per name (the last
    in that order), ``marker`` set to the page's last id."""
    params = dict(sorted(query.link_params))
    params['marker'] = marker
    collection = 'servers/detail' if query.detail else 'servers'
    return (f'{links.gateway_url(request)}/v2.1/{collection}?'
            f'{urllib.parse.urlencode(params)}')
