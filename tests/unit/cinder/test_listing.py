"""Merged volume lists: Cinder's sort parameters, the order over pods,
paging by limit, offset and marker, with_count, and what is shown."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.unit.cinder.fakes import CinderGateway
from tests.unit.cinder.fakes import fault
from trio2o_core.plugin import BadRequest
from trio2o_plugins.cinder.listing import sort_order

# sort parameters

def test_default_order_is_newest_first_then_id():
    order = sort_order({})
    assert (order.keys, order.desc) == (('created_at', 'id'), (True, True))


def test_sort_pairs_name_reads_display_name_and_defaults_follow_first():
    order = sort_order({'sort': 'name:asc,size'})
    assert order.keys == ('display_name', 'size', 'created_at', 'id')
    assert order.desc == (False, True, False, False)


def test_sort_key_and_dir():
    order = sort_order({'sort_key': 'size', 'sort_dir': 'asc'})
    assert (order.keys, order.desc) == (('size', 'created_at', 'id'),
                                        (False, False, False))


def test_sort_with_sort_key_is_refused():
    with pytest.raises(BadRequest) as exc:
        sort_order({'sort': 'size', 'sort_key': 'size'})
    assert exc.value.user_message == (
        "The 'sort_key' and 'sort_dir' parameters are deprecated and "
        "cannot be used with the 'sort' parameter.")


@pytest.mark.parametrize('params', [{'sort': 'size:up'},
                                    {'sort_dir': 'sideways'}])
def test_unknown_direction_is_refused(params):
    with pytest.raises(BadRequest) as exc:
        sort_order(params)
    assert exc.value.user_message == ("Invalid input received: Unknown sort "
                                      "direction, must be 'desc' or 'asc'.")


# the merged list

def ids(reply) -> list[str]:
    return [volume['id'] for volume in reply.body['volumes']]


@pytest.fixture
def volumes(gateway: CinderGateway) -> list[dict]:
    """Six volumes made alternately in Pod1 and Pod2, sizes 6..1."""
    return [gateway.add(1 + i % 2, size=6 - i, name=f'v{i}')
            for i in range(6)]


def test_volumes_of_both_pods_are_merged_newest_first(client, volumes):
    reply = client.get('/v3/volumes/detail')
    assert reply.status == 200
    assert ids(reply) == [v['id'] for v in reversed(volumes)]
    assert 'volumes_links' not in reply.body


def test_merged_by_the_requested_key(client, volumes):
    reply = client.get('/v3/volumes/detail?sort=size:asc')
    assert [v['size'] for v in reply.body['volumes']] == [1, 2, 3, 4, 5, 6]


def test_summary_list_shows_id_name_and_links(client, volumes):
    reply = client.get('/v3/volumes')
    assert set(reply.body['volumes'][0]) == {'id', 'name', 'links'}


def test_pages_follow_the_next_link_to_the_end(client, volumes):
    seen, path = [], '/v3/volumes/detail?limit=4&sort=name:asc'
    while path:
        reply = client.get(path)
        seen += ids(reply)
        links = reply.body.get('volumes_links', [])
        path = ''
        if links:
            url = urllib.parse.urlsplit(links[0]['href'])
            assert url.path == '/volume/v3/volumes/detail'
            assert 'sort=name%3Aasc' in url.query
            path = f'/v3/volumes/detail?{url.query}'
    assert seen == [v['id'] for v in volumes]


def test_marker_of_either_pod_continues_after_it(client, volumes):
    reply = client.get(f'/v3/volumes/detail?marker={volumes[3]["id"]}')
    assert ids(reply) == [v['id'] for v in reversed(volumes[:3])]


def test_offset_skips_the_merged_records(client, volumes):
    reply = client.get('/v3/volumes/detail?offset=4')
    assert ids(reply) == [volumes[1]['id'], volumes[0]['id']]


def test_unknown_marker_is_cinder_s_404(client, volumes):
    reply = client.get('/v3/volumes/detail?marker=nope')
    assert (reply.status, reply.body) == (404, {'itemNotFound': {
        'code': 404, 'message': 'Volume nope could not be found.'}})


@pytest.mark.parametrize('query, message', [
    ('limit=x', 'limit param must be an integer'),
    ('limit=-1', 'limit param must be positive'),
    ('offset=1.5', 'offset param must be an integer'),
])
def test_bad_paging_values_are_cinder_s_400(client, query, message):
    reply = client.get(f'/v3/volumes/detail?{query}')
    assert (reply.status, reply.message()) == (400, message)


def test_with_count_sums_the_pods_from_3_45(client, volumes):
    reply = client.get('/v3/volumes/detail?with_count=true&limit=1',
                       version='3.45')
    assert reply.body['count'] == 6
    assert len(reply.body['volumes']) == 1
    older = client.get('/v3/volumes/detail?with_count=true',
                       version='3.44')
    assert 'count' not in older.body


def test_other_projects_records_are_not_shown(client, gateway, volumes):
    gateway.add(1, project='project-b')
    gateway.cinders[1].add()  # in the pod, routed to no one
    assert ids(client.get('/v3/volumes/detail')) == [
        v['id'] for v in reversed(volumes)]


def test_a_pod_that_is_down_is_named_partial(client, gateway, volumes):
    gateway.mark_down(gateway.pod(2))
    reply = client.get('/v3/volumes/detail')
    assert ids(reply) == [volumes[4]['id'], volumes[2]['id'],
                          volumes[0]['id']]
    assert reply.headers['X-Trio2o-Partial'] == 'Pod2'


def test_snapshots_merge_the_same_way(client, gateway):
    made = [gateway.add(1 + i % 2, 'snapshots') for i in range(3)]
    reply = client.get('/v3/snapshots/detail')
    assert [s['id'] for s in reply.body['snapshots']] == [
        s['id'] for s in reversed(made)]


def test_a_project_without_routings_asks_one_pod_and_shows_nothing(
        client, gateway):
    gateway.cinders[0].add()
    assert client.get('/v3/volumes').body == {'volumes': []}
    lists = [c for c in gateway.calls_to('GET') if c.path != '/']
    assert [(c.pod.name, c.path) for c in lists] == [
        ('Pod1', '/volumes/detail')]


def test_a_project_without_routings_gets_the_pods_400(client, gateway):
    gateway.mark_down(gateway.pod(1))
    gateway.script(gateway.pod(2), 'GET', '/volumes/detail', fault(
        400, 'badRequest', 'Invalid input received: Invalid sort key'))
    reply = client.get('/v3/volumes?sort_key=nope')
    assert (reply.status, reply.body) == (400, {'badRequest': {
        'code': 400, 'message': 'Invalid input received: Invalid sort key'}})
