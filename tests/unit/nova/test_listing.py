"""``GET /servers[/detail]``: the list merged over pods (order, paging,
links, filters, tenancy) and what a down pod changes."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.unit.nova import fakes
from trio2o_core.plugin import PARTIAL_HEADER
from trio2o_plugins.nova import server_list
from trio2o_plugins.nova.service import NovaService

SECOND = 1_000_000


def expected_order(records, direction='desc'):
    """The order by creation as the API shows it (whole seconds), then
    id; newest first by default, as Nova's."""
    return [r['id'] for r in sorted(
        records, key=lambda r: (r['created'], r['id']),
        reverse=direction == 'desc')]


def ids(reply):
    return [server['id'] for server in reply.body['servers']]


def follow(client, href):
    """GET a next link of the gateway."""
    prefix = fakes.GATEWAY + '/compute'
    assert href.startswith(prefix)
    return client.get(href[len(prefix):])


def list_calls(gateway, index):
    return [c for c in gateway.nova(index).calls
            if c.path == 'servers/detail']


@pytest.fixture
def spread(gateway):
    """Nine servers of ``PROJECT`` over three pods, several created in
    the same second (their order inside it is hidden by the API)."""
    records = []
    for index, created in enumerate([5, 1, 3, 5, 2, 5, 3, 0, 7]):
        records.append(gateway.add_server(
            index % 3 + 1, name=f'vm{index}',
            created=created * SECOND + (9 - index) * 1000))
    return records


def test_detail_merges_pods_in_nova_s_default_order(client, spread):
    reply = client.get('/v2.1/servers/detail')

    assert reply.status == 200
    assert ids(reply) == expected_order(spread)
    assert 'servers_links' not in reply.body
    first = reply.body['servers'][0]
    assert first['links'][0]['href'].startswith(fakes.GATEWAY + '/compute')
    assert first['OS-EXT-AZ:availability_zone'] in ('az1', 'az2', 'az3')


def test_index_shows_ids_names_and_gateway_links(client, spread):
    reply = client.get('/v2.1/servers')

    server = reply.body['servers'][0]
    assert set(server) == {'id', 'name', 'links'}
    assert server['links'] == [
        {'rel': 'self',
         'href': f"{fakes.GATEWAY}/compute/v2.1/servers/{server['id']}"},
        {'rel': 'bookmark',
         'href': f"{fakes.GATEWAY}/compute/servers/{server['id']}"}]


def test_pods_are_asked_sorted_with_uuid_last(gateway, client, spread):
    client.get('/v2.1/servers?name=vm&status=ACTIVE', version='2.70')

    params = list_calls(gateway, 1)[0].params
    assert params == [
        ('name', 'vm'), ('status', 'ACTIVE'), ('sort_key', 'created_at'),
        ('sort_key', 'uuid'), ('sort_dir', 'desc'), ('sort_dir', 'desc'),
        ('limit', '367')]
    assert list_calls(gateway, 1)[0].microversion == '2.70'


def test_only_the_caller_s_routed_servers_are_listed(gateway, client,
                                                     spread):
    gateway.add_server(1, routed=False)
    gateway.add_server(2, project=fakes.OTHER_PROJECT)

    assert sorted(ids(client.get('/v2.1/servers'))) == sorted(
        r['id'] for r in spread)
    other = client.as_user(fakes.OTHER_PROJECT)
    assert len(ids(other.get('/v2.1/servers'))) == 1


def test_routings_are_read_for_the_page_s_servers_only(gateway, client,
                                                      spread, monkeypatch):
    unrouted = gateway.add_server(1, routed=False, created=9 * SECOND)
    asked = []
    routed_ids = gateway.routed_ids

    def recording(context, resource_type, top_ids):
        asked.append(list(top_ids))
        return routed_ids(context, resource_type, top_ids)

    monkeypatch.setattr(gateway, 'routed_ids', recording)

    reply = client.get('/v2.1/servers?limit=3')

    shown = expected_order(spread)[:3]
    assert ids(reply) == shown
    # the newest server is not the caller's: one more is asked for
    assert asked == [[unrouted['id'], *shown[:2]], [shown[2]]]


def test_pods_without_routings_of_the_project_are_not_asked(gateway,
                                                            client):
    gateway.add_server(2)

    client.get('/v2.1/servers')

    assert list_calls(gateway, 2)
    assert not list_calls(gateway, 1) and not list_calls(gateway, 3)


def test_no_routing_at_all_is_an_empty_list(gateway, client):
    assert client.get('/v2.1/servers').body == {'servers': []}


def test_admin_with_all_tenants_sees_every_server_of_every_pod(
        gateway, admin, spread):
    unrouted = gateway.add_server(3, project='elsewhere', routed=False)

    reply = admin.get('/v2.1/servers/detail?all_tenants=1')

    assert ids(reply) == expected_order(spread + [unrouted])
    assert ('all_tenants', '1') in list_calls(gateway, 1)[0].params


def test_admin_without_all_tenants_sees_its_own_project(gateway, admin,
                                                        spread):
    mine = gateway.add_server(1, project=fakes.ADMIN_PROJECT)

    assert ids(admin.get('/v2.1/servers')) == [mine['id']]


def test_page_links_as_nova_writes_them(client, spread):
    reply = client.get('/v2.1/servers?name=vm&limit=4&sort_dir=desc'
                       '&name=v')

    order = expected_order(spread)
    assert ids(reply) == order[:4]
    href = reply.body['servers_links'][0]['href']
    assert reply.body['servers_links'][0]['rel'] == 'next'
    assert href == (f'{fakes.GATEWAY}/compute/v2.1/servers?limit=4'
                    f'&name=vm&sort_dir=desc&marker={order[3]}')
    second = follow(client, href)
    assert ids(second) == order[4:8]
    href = second.body['servers_links'][0]['href']
    assert href == (f'{fakes.GATEWAY}/compute/v2.1/servers?limit=4'
                    f'&marker={order[7]}&name=vm&sort_dir=desc')
    third = follow(client, href)
    assert ids(third) == order[8:]
    assert 'servers_links' not in third.body


def test_detail_next_link_points_at_detail(client, spread):
    reply = client.get('/v2.1/servers/detail?limit=1')

    assert reply.body['servers_links'][0]['href'].startswith(
        f'{fakes.GATEWAY}/compute/v2.1/servers/detail?limit=1&marker=')


def test_full_page_without_limit_has_a_link_at_max_limit(gateway, client,
                                                         spread):
    gateway.conf.api.max_limit = 9

    reply = client.get('/v2.1/servers')

    assert len(ids(reply)) == 9
    assert reply.body['servers_links'][0]['href'].endswith(
        f'?marker={expected_order(spread)[8]}')


def test_limit_above_max_limit_is_capped(gateway, client, spread):
    gateway.conf.api.max_limit = 5

    assert len(ids(client.get('/v2.1/servers?limit=50'))) == 5


def test_limit_zero_is_empty_without_links(gateway, client, spread):
    reply = client.get('/v2.1/servers?limit=0')

    assert reply.body == {'servers': []}
    assert not list_calls(gateway, 1)


def test_marker_not_found_is_400(client, spread):
    reply = client.get('/v2.1/servers?marker=nope')

    assert (reply.status, reply.message()) == (
        400, 'marker [nope] not found')


def test_marker_of_another_project_is_400(gateway, client, spread):
    other = gateway.add_server(1, project=fakes.OTHER_PROJECT)

    reply = client.get(f"/v2.1/servers?marker={other['id']}")

    assert reply.message() == f"marker [{other['id']}] not found"


def test_marker_gone_from_its_pod_is_400(gateway, client, spread):
    del gateway.nova(1).servers[spread[0]['id']]

    reply = client.get(f"/v2.1/servers?marker={spread[0]['id']}")

    assert reply.status == 400


def test_marker_in_a_down_pod_is_503(gateway, client, spread):
    gateway.mark_down(gateway.nova(1).pod)

    reply = client.get(f"/v2.1/servers?marker={spread[0]['id']}")

    assert (reply.status, reply.message()) == (503,
                                               'Pod Pod1 is unavailable.')


def test_sort_by_name_ascending(gateway, client):
    records = [gateway.add_server(i % 3 + 1, name=name, created=i)
               for i, name in enumerate(['d', 'b', 'a', 'c', 'b'])]

    reply = client.get('/v2.1/servers/detail?sort_key=display_name'
                       '&sort_dir=asc')

    assert ids(reply) == [r['id'] for r in sorted(
        records, key=lambda r: (r['name'], r['created'], r['id']))]
    params = list_calls(gateway, 1)[0].params
    assert [v for k, v in params if k == 'sort_key'] == [
        'display_name', 'created_at', 'uuid']
    assert [v for k, v in params if k == 'sort_dir'] == ['asc'] * 3


def test_ignored_sort_keys_are_dropped_with_their_direction(gateway,
                                                            client, spread):
    reply = client.get('/v2.1/servers?sort_key=id&sort_dir=asc'
                       '&sort_key=display_name')

    assert reply.status == 200
    params = list_calls(gateway, 1)[0].params
    assert [v for k, v in params if k == 'sort_key'] == [
        'display_name', 'created_at', 'uuid']
    assert [v for k, v in params if k == 'sort_dir'] == ['asc'] * 3


def test_pod_refusing_the_query_answers_with_its_error(gateway, client,
                                                       spread):
    gateway.script(gateway.nova(2).pod, 'GET', '/servers/detail',
                   fakes.fault(400, 'Invalid status value'))

    reply = client.get('/v2.1/servers?status=bogus', version='2.38')

    assert (reply.status, reply.message()) == (400, 'Invalid status value')


def test_batches_are_split_over_pods_and_fetched_again_when_drained(
        gateway, client):
    newest = []
    for created in range(150):
        newest.append(gateway.add_server(1, created=(1000 + created)
                                         * SECOND))
        gateway.add_server(2, created=created * SECOND + 2)
        gateway.add_server(3, created=created * SECOND + 3)

    reply = client.get('/v2.1/servers?limit=300')

    assert len(ids(reply)) == 300
    batch = '110'
    first = list_calls(gateway, 1)
    # drained after 109 shown (the batch's last server waits for the
    # next: its second may go on), pod 1 is asked for 1.1 times the 191
    # left; the others, none shown yet, are not asked again
    assert [dict(c.params)['limit'] for c in first] == [batch, '211']
    assert 'marker' not in dict(first[0].params)
    assert dict(first[1].params)['marker'] == expected_order(newest)[109]
    for index in (2, 3):
        assert [dict(c.params)['limit']
                for c in list_calls(gateway, index)] == [batch]


def test_one_pod_is_asked_for_the_whole_limit(gateway, client):
    gateway.add_server(2)

    client.get('/v2.1/servers?limit=7')

    assert dict(list_calls(gateway, 2)[0].params)['limit'] == '7'


# down pods

def test_down_pod_is_skipped_and_named_below_2_69(gateway, client, spread):
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.get('/v2.1/servers', version='2.68')

    assert reply.status == 200
    assert ids(reply) == expected_order(
        [r for i, r in enumerate(spread) if i % 3 != 1])
    assert reply.headers[PARTIAL_HEADER] == 'Pod2'
    assert not list_calls(gateway, 2)


def test_pod_failing_now_is_skipped_and_marked_down(gateway, client,
                                                    spread):
    client.get('/v2.1/flavors')
    gateway.nova(3).refusing = True

    reply = client.get('/v2.1/servers/detail')

    assert len(ids(reply)) == 6
    assert reply.headers[PARTIAL_HEADER] == 'Pod3'
    assert gateway.is_down(gateway.nova(3).pod)


def test_pod_answering_500_is_skipped(gateway, client, spread):
    gateway.script(gateway.nova(1).pod, 'GET', '/servers/detail',
                   fakes.fault(500, 'boom'))

    reply = client.get('/v2.1/servers')

    assert reply.status == 200
    assert reply.headers[PARTIAL_HEADER] == 'Pod1'


def test_down_pod_servers_are_unknown_records_from_2_69(gateway, client,
                                                        spread):
    gateway.mark_down(gateway.nova(2).pod)
    down = [r['id'] for i, r in enumerate(spread) if i % 3 == 1]
    up = [r for i, r in enumerate(spread) if i % 3 != 1]

    reply = client.get('/v2.1/servers', version='2.69')

    assert ids(reply) == down + expected_order(up)
    unknown = reply.body['servers'][0]
    assert unknown == {'id': down[0], 'status': 'UNKNOWN', 'links': [
        {'rel': 'self',
         'href': f'{fakes.GATEWAY}/compute/v2.1/servers/{down[0]}'},
        {'rel': 'bookmark',
         'href': f'{fakes.GATEWAY}/compute/servers/{down[0]}'}]}


def test_unknown_detail_records_carry_tenant_and_creation(gateway, client,
                                                          spread):
    gateway.mark_down(gateway.nova(2).pod)
    routing = gateway.routings[(spread[1]['id'], 'server')]

    reply = client.get('/v2.1/servers/detail', version='2.80')

    record = reply.body['servers'][0]
    assert set(record) == {'id', 'status', 'tenant_id', 'created', 'links'}
    assert record['tenant_id'] == fakes.PROJECT
    assert record['created'] == routing.created_at.strftime(
        '%Y-%m-%dT%H:%M:%SZ')


def test_unknown_records_also_for_all_tenants(gateway, admin, spread):
    gateway.mark_down(gateway.nova(2).pod)

    reply = admin.get('/v2.1/servers?all_tenants', version='2.69')

    assert [s['status'] for s in reply.body['servers'][:3]] == [
        'UNKNOWN'] * 3


@pytest.mark.parametrize('query', ['?name=vm', '?limit=5', '?sort_dir=asc',
                                   '?marker=x'])
def test_filters_and_paging_skip_down_pods_even_at_2_69(
        gateway, client, spread, query):
    gateway.mark_down(gateway.nova(2).pod)
    if query == '?marker=x':
        query = f"?marker={spread[0]['id']}"

    reply = client.get('/v2.1/servers' + query, version='2.69')

    assert 'UNKNOWN' not in [s.get('status') for s in reply.body['servers']]
    assert reply.headers[PARTIAL_HEADER] == 'Pod2'


def test_non_admin_filters_nova_ignores_keep_unknown_records(
        gateway, client, spread):
    gateway.mark_down(gateway.nova(2).pod)

    reply = client.get('/v2.1/servers?host=h1', version='2.69')

    assert reply.body['servers'][0]['status'] == 'UNKNOWN'


def test_pod_failing_while_paging_gives_a_partial_page(gateway, client,
                                                       monkeypatch):
    monkeypatch.setattr(server_list, 'MIN_BATCH', 1)
    older = [gateway.add_server(1, created=c * SECOND) for c in range(4)]
    newer = [gateway.add_server(2, created=(10 + c) * SECOND)
             for c in range(8)]
    nova = gateway.nova(2)

    def fail_when_paging(call):
        if call.path == '/servers/detail' and 'marker' in call.query:
            raise TimeoutError('slow')
        return nova(call)

    gateway.serve(nova.pod, fail_when_paging)

    reply = client.get('/v2.1/servers?limit=8')

    assert reply.status == 200
    assert reply.headers[PARTIAL_HEADER] == 'Pod2'
    assert ids(reply) == expected_order(newer)[:4] + expected_order(older)


# the property: paging gives the global order, no gap, no duplicate

@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(),
       counts=st.lists(st.integers(0, 12), min_size=3, max_size=3),
       max_limit=st.sampled_from([3, 5, 1000]),
       min_batch=st.sampled_from([1, 2, 100]),
       direction=st.sampled_from(['desc', 'asc']))
def test_paging_yields_the_global_order(monkeypatch, data, counts,
                                        max_limit, min_batch, direction):
    """Servers over three pods, many created in the same second (shown
    alike, sorted apart by the pods), some not the caller's: following
    the next links from any marker gives every later server once, in
    the global order."""
    monkeypatch.setattr(server_list, 'MIN_BATCH', min_batch)
    gateway = fakes.NovaGateway(pods=3)
    gateway.conf.api.max_limit = max_limit
    client = fakes.Client(NovaService(gateway))
    mine = []
    for index, count in enumerate(counts, start=1):
        for _ in range(count):
            created = data.draw(st.integers(0, 4)) * SECOND + data.draw(
                st.integers(0, SECOND - 1))
            mine.append(gateway.add_server(index, created=created))
        if data.draw(st.booleans()):
            gateway.add_server(index, routed=False,
                               created=data.draw(st.integers(0, 5 * SECOND)))
            gateway.add_server(index, project=fakes.OTHER_PROJECT)
    order = expected_order(mine, direction)
    start = data.draw(st.integers(-1, len(order) - 1))
    limit = data.draw(st.integers(1, 7))
    path = f'/v2.1/servers?limit={limit}&sort_dir={direction}'
    if start >= 0:
        path += f'&marker={order[start]}'
    seen = []
    reply = client.get(path)
    for _ in range(len(order) + 2):
        assert reply.status == 200
        page = ids(reply)
        assert len(page) <= min(limit, max_limit)
        seen += page
        if 'servers_links' not in reply.body:
            break
        href = reply.body['servers_links'][0]['href']
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(
            href).query)['marker'] == [page[-1]]
        reply = follow(client, href)
    assert seen == order[start + 1:]
