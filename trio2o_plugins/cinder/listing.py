"""``GET /<collection>[/detail]`` of every routed kind (volumes,
snapshots, backups, attachments, groups, group snapshots): one list over
every pod, in Cinder's order, paged as Cinder pages.

Every enabled pod holding a routing of the caller's project (every
enabled pod for an admin with ``all_tenants``) is asked in parallel for
its detailed records, sorted by the request's keys with Cinder's
defaults appended (``created_at``, then ``id``, in the first direction).
:mod:`trio2o_core.plugin.merge` merges them by the values the records
show; a pod is asked for more only
when the merge has drained it. Only records routed to the caller's
project are kept (unless admin with ``all_tenants``). Filters go to the
pods unchanged but the zone, which is sent as each pod names it (a pod
of another zone is not asked). A pod that is down or fails is left out
and named in ``X-Trio2o-Partial``; a pod's 4xx (a bad filter or sort
key, which Cinder checks) is the answer. A project with nothing routed
still has its query judged: the first pod that is up is asked, and none
of its records is shown.
"""

from __future__ import annotations

import collections
import urllib.parse
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Fetch
from trio2o_core.plugin import FieldOrder
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodRefused
from trio2o_core.plugin import PodStream
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import batch_size
from trio2o_core.plugin import comparable
from trio2o_core.plugin import gateway_url
from trio2o_core.plugin import gather_batches
from trio2o_core.plugin import json_response
from trio2o_core.plugin import merge_streams
from trio2o_core.plugin import microversion
from trio2o_plugins.cinder import routed

PAGING = ('sort', 'sort_key', 'sort_dir', 'limit', 'marker', 'offset',
          'with_count')
_TRUE = ('1', 't', 'true', 'on', 'y', 'yes')
#: sort key -> the attribute showing it, where the names differ
_SHOWN = {'display_name': 'name', 'display_description': 'description',
          'project_id': 'os-vol-tenant-attr:tenant_id'}


def int_param(name: str, value: str) -> int:
    """A non-negative integer query value, as Cinder reads it.

    :raises BadRequest: ``<name> param must be an integer`` or
        ``... must be positive``.
    """
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f'{name} param must be an integer') from None
    if number < 0:
        raise BadRequest(f'{name} param must be positive')
    return number


#: the smallest batch asked of a pod
MIN_BATCH = 100


def shown(record: Mapping[str, Any], key: str) -> tuple[Any, ...] | None:
    """Return the comparable value a record shows for a sort key, None
    when it does not show it."""
    attribute = _SHOWN.get(key, key)
    if attribute not in record:
        return None
    return comparable(record[attribute])


def sort_order(params: Mapping[str, str]) -> FieldOrder:
    """Cinder's order from ``sort=k:dir,...`` or ``sort_key``/``sort_dir``
    (``name`` read as ``display_name``), with ``created_at`` and ``id``
    appended in the first direction.

    :raises BadRequest: both syntaxes, or an unknown direction.
    """
    if 'sort' in params:
        if 'sort_key' in params or 'sort_dir' in params:
            raise BadRequest(
                "The 'sort_key' and 'sort_dir' parameters are deprecated "
                "and cannot be used with the 'sort' parameter.")
        pairs = [item.partition(':') for item in params['sort'].split(',')]
        keys = [key.strip() for key, _, _ in pairs]
        dirs = [(direction.strip() or 'desc') for _, _, direction in pairs]
    else:
        keys = [params.get('sort_key', 'created_at').strip()]
        dirs = [params.get('sort_dir', 'desc').strip()]
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise BadRequest("Invalid input received: Unknown sort "
                             "direction, must be 'desc' or 'asc'.")
    keys = ['display_name' if key == 'name' else key for key in keys]
    for default in ('created_at', 'id'):
        if default not in keys:
            keys.append(default)
            dirs.append(dirs[0])
    return FieldOrder(tuple(keys),
                      tuple(direction == 'desc' for direction in dirs), shown)


class Lister:
    """Answers the list calls of one kind (volumes, backups ...);
    ``summary`` names the attributes of a record in the list that is not
    the detailed one. A kind the gateway does not route (``by_routing``
    false: messages) is listed from ``/<collection>`` of every enabled
    pod, which shows the caller what it may see."""

    def __init__(self, gateway: Gateway, kind: routed.Kind,
                 summary: tuple[str, ...], by_routing: bool = True) -> None:
        self.gateway = gateway
        self.kind = kind
        self.summary = summary
        self.by_routing = by_routing

    def respond(self, request: webob.Request, pods: PodCaller,
                detail: bool) -> webob.Response:
        """Answer ``GET /<collection>`` or ``/<collection>/detail``.

        :raises BadRequest: a paging or sorting value Cinder refuses.
        :raises NotFound: an unknown marker.
        :raises PodUnavailable: the marker's pod is down.
        """
        params = dict(request.GET.items())
        order = sort_order(params)
        max_limit = self.gateway.conf.api.max_limit
        limit = min(int_param('limit', params['limit']), max_limit) \
            if 'limit' in params else max_limit
        offset = int_param('offset', params['offset']) if 'offset' in params \
            else 0
        with_count = (microversion.at_least(request, '3.45')
                      and params.get('with_count', '').lower() in _TRUE)
        context = request.context
        all_tenants = (context.is_admin and 'all_tenants' in params)
        filters = [(name, value) for name, value in request.GET.items()
                   if name not in PAGING
                   and (name != 'all_tenants' or all_tenants)]
        candidates, allowed = self._candidates(request, all_tenants,
                                               params)
        after = None
        if 'marker' in params:
            after = order.key(self._marker(request, pods, params['marker'],
                                           candidates))
        counts: dict[str, int] = {}
        batch = batch_size(limit + offset, len(candidates), MIN_BATCH)
        skip = max(batch, max_limit)

        def start(pod: Pod) -> PodStream:
            fetch = self._fetcher(pods, pod, filters, order, with_count,
                                  counts)
            stream = PodStream(
                fetch, order, None if allowed is None else allowed[pod.id],
                after, batch=batch, skip_batch=skip, written=detail)
            stream.head()
            if stream.failed is not None:
                raise stream.failed
            return stream

        gathered = pods.gather(candidates if limit else [], start)
        if gathered.refused:
            first = min(gathered.refused.values(),
                        key=lambda refused: refused.pod.name)
            return pods.relay(first.pod, first.reply)
        started = gathered.items()
        page = merge_streams(
            [stream for _, stream in started], limit + offset,
            gather=gather_batches(pods, [pod for pod, _ in started]))[offset:]
        for pod, stream in started:
            if stream.failed is not None:
                gathered.failed.append(pod)
        # the pods' batches were translated as they were decoded
        items: list[Mapping[str, Any]] = [record if detail else {
            name: record.get(name) for name in self.summary}
            for _, record in page]
        body: dict[str, Any] = {self.kind.collection: items}
        count = sum(counts.values())
        if items and limit <= (count if with_count else len(items)):
            body[self.kind.links_key] = [{
                'rel': 'next', 'href': next_link(request, items[-1]['id'])}]
        if with_count:
            body['count'] = count
        response = json_response(body)
        gathered.mark_partial(response)
        return response

    def _candidates(self, request: webob.Request, all_tenants: bool,
                    params: Mapping[str, str]
                    ) -> tuple[list[Pod], dict[str, set[str]] | None]:
        """The pods to ask and, unless every project's records are
        listed, the ids each may show. With no pod holding the project's
        records, the first pod that is up is asked, to judge the query."""
        pods = self.gateway.list_pods()
        zone = params.get('availability_zone')
        if zone is not None:
            pods = [pod for pod in pods if pod.az_name == zone]
        if all_tenants or not self.by_routing:
            return pods, None
        allowed: dict[str, set[str]] = collections.defaultdict(set)
        for routing in self.gateway.list_routings(
                request.context, self.kind.resource_type):
            allowed[routing.pod.id].add(routing.top_id)
        asked = [pod for pod in pods if pod.id in allowed]
        if not asked:
            # a pod that is up still judges the query (its 4xx is the
            # answer) though none of its records may be shown
            asked = [pod for pod in pods
                     if not self.gateway.is_down(pod)][:1]
        return asked, allowed

    def _marker(self, request: webob.Request, pods: PodCaller,
                marker: str, candidates: list[Pod]) -> dict[str, Any]:
        """The marker's record, read from its pod (any candidate pod for
        an admin paging from a record the gateway did not create, or for
        a kind the gateway does not route).

        :raises NotFound: Cinder's message for an unknown marker.
        :raises PodUnavailable: the marker's pod is down.
        """
        routing = self.gateway.lookup(request.context, marker,
                                      self.kind.resource_type)
        search = [routing.pod] if routing is not None else (
            candidates if request.context.is_admin or not self.by_routing
            else [])
        singular = self.kind.collection[:-1]
        for pod in search:
            try:
                answer = pods.call(pod, 'GET',
                                   f'{self.kind.collection}/{marker}')
            except PodUnavailable:
                if routing is not None:
                    raise
                continue
            if answer.status_code == 200:
                record: dict[str, Any] = pods.translated_json(
                    pod, answer)[singular]
                return record
        raise NotFound(self.kind.not_found.format(id=marker))

    def _fetcher(self, pods: PodCaller, pod: Pod,
                 filters: list[tuple[str, str]], order: FieldOrder,
                 with_count: bool, counts: dict[str, int]) -> Fetch:
        sort = ','.join(f'{key}:{"desc" if down else "asc"}'
                        for key, down in zip(order.keys, order.desc,
                                             strict=True))
        shown = [(name, value) for name, value in filters]
        if pod.pod_az_name:
            shown = [(name, pod.pod_az_name
                      if name == 'availability_zone' else value)
                     for name, value in shown]
        path = (f'{self.kind.collection}/detail' if self.by_routing
                else self.kind.collection)
        links_key = self.kind.links_key

        def fetch(pod_marker: str | None,
                  limit: int) -> tuple[list[dict[str, Any]], bool]:
            params = [*shown, ('sort', sort), ('limit', str(limit))]
            if pod_marker is not None:
                params.append(('marker', pod_marker))
            elif with_count:
                params.append(('with_count', 'true'))
            answer = pods.call(pod, 'GET', path, params=params)
            if answer.status_code != 200:
                raise PodRefused(pod, answer)
            try:
                body = pods.translated_json(pod, answer)
            except ValueError:
                raise PodRefused(pod, answer) from None
            if pod_marker is None and with_count:
                counts[pod.id] = int(body.get('count', 0))
            records: list[dict[str, Any]] = body.get(self.kind.collection,
                                                     [])
            # a full page may have more after it (lists of attachments
            # have no next links)
            more = len(records) >= limit or any(
                link.get('rel') == 'next'
                for link in body.get(links_key, ()))
            return records, more
        return fetch


def next_link(request: webob.Request, marker: str) -> str:
    """Cinder's next link: the request's URL and query, ``marker`` set
    to the page's last id."""
    params = dict(request.GET.items())
    params['marker'] = marker
    return (f'{gateway_url(request)}{request.path_info}?'
            f'{urllib.parse.urlencode(params)}')
