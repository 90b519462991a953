"""``GET /servers`` and ``GET /servers/detail``: one sorted, paged list
over every pod, as Nova's cells v2 lists over its cells.

How a page is made
    Every enabled pod holding a routing of the caller's project (every
    enabled pod for an admin with ``all_tenants``) is asked in parallel,
    each within ``[pods] timeout``, for its servers' details sorted by the
    request's keys (Nova's defaults added: ``created_at``, then ``uuid``
    as the final tie-break). A k-way heap merge takes the smallest head
    until the page is full. Each pod is first asked for its share of the
    page (``max(5, ceil(limit / pods * 1.1))``); when the merge drains a
    pod, it is asked again (continuing from its own last server) for its
    share of the rest so far, together, in parallel, with every other pod
    expected to drain before the page is full. Only servers routed to the
    caller's project are shown (unless admin with ``all_tenants``): the
    routing table is read once for the servers the page would show.

Comparing servers of different pods
    By what the API shows, in blocks re-sorted once complete (see
    :mod:`trio2o_core.plugin.merge`); the shown value of each Nova sort
    key is :func:`trio2o_plugins.nova.server_query.shown`.

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

import functools
import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

import webob

from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Fetch
from trio2o_core.plugin import Gateway
from trio2o_core.plugin import Gathered
from trio2o_core.plugin import Keep
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodCaller
from trio2o_core.plugin import PodRefused
from trio2o_core.plugin import PodStream
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import Routing
from trio2o_core.plugin import SortKey
from trio2o_core.plugin import batch_size
from trio2o_core.plugin import gateway_url
from trio2o_core.plugin import gather_batches
from trio2o_core.plugin import json_response
from trio2o_core.plugin import merge_streams
from trio2o_plugins.nova import forward
from trio2o_plugins.nova.server_query import ListRequest
from trio2o_plugins.nova.server_query import parse

LOG = logging.getLogger(__name__)

#: the smallest batch asked of a pod
MIN_BATCH = 5


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
            keep: Keep | None = None
            candidates = pods
        else:
            # the servers a page would show are checked against the
            # routing table: a page reads the routings of what it shows,
            # not all of the project's
            routed = self.gateway.routed_pods(context, forward.RESOURCE)
            candidates = [pod for pod in pods if pod.id in routed]
            keep = functools.partial(self.gateway.routed_ids, context,
                                     forward.RESOURCE)
        caller = forward.pods(self.gateway, request)
        try:
            after = self._marker_key(caller, request, query, candidates)
        except PodRefused as refused:
            return caller.relay(refused.pod, refused.reply)
        gathered = self._open(caller, query, candidates, after)
        refused_answer = forward.refusal(caller, gathered)
        if refused_answer is not None:
            return refused_answer
        streams = gathered.items()
        page = merge_streams(
            [stream for _, stream in streams], query.limit, keep=keep,
            gather=gather_batches(caller, [pod for pod, _ in streams]))
        for pod, stream in streams:
            if stream.failed is not None:
                LOG.warning('pod %s left out of the server list (request '
                            '%s): %s', pod.name, caller.request_id,
                            stream.failed)
                gathered.failed.append(pod)
        items = [self._item(record, detail) for _, record in page]
        down = gathered.missing
        if query.down_records and down:
            items = self._unknown(request, query, down,
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
                return query.order.key(
                    caller.translated_json(pod, answer)['server'])
            if answer.status_code != 404:
                raise PodRefused(pod, answer)
        raise not_found

    def _open(self, caller: PodCaller, query: ListRequest,
              pods: list[Pod],
              after: SortKey | None) -> Gathered[PodStream]:
        """Start a stream per pod, in parallel (a pod refusing the query
        with a 4xx is in ``refused``)."""
        max_limit = self.gateway.conf.api.max_limit
        if query.limit == 0 or not pods:
            return Gathered({pod.id: pod for pod in pods}, down=[
                pod for pod in pods if self.gateway.is_down(pod)])
        batch = batch_size(query.limit, len(pods), MIN_BATCH)
        # every pod's call carries the same filters and order
        params = [*query.filters, *query.order.params()]

        def start(pod: Pod) -> PodStream:
            stream = PodStream(
                self._fetcher(caller, params, pod), query.order, None,
                after, batch=batch, skip_batch=max(batch, max_limit),
                written=query.detail)
            stream.head()
            if stream.failed is not None:
                raise stream.failed
            return stream

        return caller.gather(pods, start)

    def _fetcher(self, caller: PodCaller, params: list[tuple[str, str]],
                 pod: Pod) -> Fetch:
        def fetch(pod_marker: str | None,
                  limit: int) -> tuple[list[dict[str, Any]], bool]:
            asked = [*params, ('limit', str(limit))]
            if pod_marker is not None:
                asked.append(('marker', pod_marker))
            body = caller.translated_json(pod, forward.checked(
                pod, caller.call(pod, 'GET', 'servers/detail',
                                 params=asked)))
            more = any(link.get('rel') == 'next'
                       for link in body.get('servers_links', ()))
            return body.get('servers', []), more
        return fetch

    @staticmethod
    def _item(record: Mapping[str, Any], detail: bool) -> Mapping[str, Any]:
        # the pod's batch was translated as it was decoded (and, for the
        # detail, kept as written)
        if not detail:
            return {'id': record['id'], 'name': record.get('name'),
                    'links': record.get('links', [])}
        return record

    def _unknown(self, request: webob.Request, query: ListRequest,
                 down: list[Pod],
                 room: int) -> list[dict[str, Any]]:
        """Return the UNKNOWN records of the servers routed to ``down``
        pods, at most ``room`` of them."""
        routings: list[Routing] = []
        for pod in sorted(set(down), key=lambda p: p.name):
            for routing in self.gateway.list_routings(
                    request.context, forward.RESOURCE,
                    all_projects=query.all_tenants, pod_id=pod.id):
                if routing.status == 'deleted':
                    continue
                routings.append(routing)
        base = gateway_url(request)
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
    return (f'{gateway_url(request)}/v2.1/{collection}?'
            f'{urllib.parse.urlencode(params)}')
