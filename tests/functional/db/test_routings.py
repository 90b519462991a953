"""Resource routings: life cycle, uniqueness, pagination."""

import pytest
import sqlalchemy as sa

from trio2o_core.db import api
from trio2o_core.db import exceptions
from trio2o_core.db import models
from trio2o_core.db.models import RoutingStatus


@pytest.fixture
def pod(db: str) -> models.Pod:
    return api.create_pod('Pod1', 'az1')


def test_life_cycle(pod: models.Pod) -> None:
    routing = api.create_routing('vm-1', 'server', pod.id, 'p1')
    assert (routing.status, routing.bottom_id) == ('creating', 'vm-1')
    assert routing.updated_at is None

    active = api.mark_routing_active(routing.id)
    assert active.status == RoutingStatus.ACTIVE
    assert active.updated_at is not None
    assert api.get_routing_by_top_id('vm-1', 'server').as_dict() == (
        active.as_dict())

    assert api.mark_routing_deleting(routing.id).status == 'deleting'
    api.delete_routing(routing.id)
    with pytest.raises(exceptions.NotFound):
        api.get_routing(routing.id)
    for call in (api.mark_routing_active, api.mark_routing_deleting,
                 api.delete_routing):
        with pytest.raises(exceptions.NotFound):
            call(routing.id)


def test_bottom_id_set_when_known(pod: models.Pod) -> None:
    routing = api.create_routing('net-1', 'network', pod.id, 'p1',
                                 bottom_id='')
    active = api.mark_routing_active(routing.id, bottom_id='bottom-net')
    assert api.get_routing(routing.id).bottom_id == active.bottom_id == (
        'bottom-net')


def test_created_active(pod: models.Pod) -> None:
    routing = api.create_routing('vol-1', 'volume', pod.id, 'p1',
                                 status=RoutingStatus.ACTIVE)
    assert api.get_routing(routing.id).status == 'active'


def test_duplicate_top_id_and_type_refused(pod: models.Pod) -> None:
    api.create_routing('id-1', 'server', pod.id, 'p1')
    api.create_routing('id-1', 'volume', pod.id, 'p1')
    with pytest.raises(exceptions.Duplicate) as caught:
        api.create_routing('id-1', 'server', pod.id, 'p2')
    assert caught.value.columns == ('top_id', 'resource_type')
    assert len(api.list_routings()) == 2


def test_unknown_pod_refused(db: str) -> None:
    with pytest.raises(exceptions.InvalidReference):
        api.create_routing('vm-1', 'server', 'no-such-pod', 'p1')
    assert api.list_routings() == []


def test_unknown_status_refused(pod: models.Pod) -> None:
    with pytest.raises(exceptions.InvalidValue):
        api.create_routing('vm-1', 'server', pod.id, 'p1',
                           status='gone')


def test_database_refuses_unknown_status(pod: models.Pod) -> None:
    with pytest.raises(exceptions.InvalidValue):
        with api.session_scope() as session:
            session.execute(sa.insert(models.ResourceRouting), {
                'top_id': 'vm-1', 'resource_type': 'server',
                'pod_id': pod.id, 'project_id': 'p1', 'status': 'gone',
                'created_at': models.utcnow()})
    assert api.list_routings() == []


def test_missing_routing(db: str) -> None:
    with pytest.raises(exceptions.NotFound) as caught:
        api.get_routing_by_top_id('vm-1', 'server')
    assert (caught.value.resource, caught.value.ident) == ('server', 'vm-1')


def test_filters_and_counts(pod: models.Pod) -> None:
    other = api.create_pod('Pod2', 'az2')
    api.create_routing('vm-1', 'server', pod.id, 'p1')
    api.create_routing('vol-1', 'volume', pod.id, 'p1')
    api.create_routing('vm-2', 'server', other.id, 'p1')
    api.create_routing('vm-3', 'server', pod.id, 'p2')

    def top_ids(routings: list[models.ResourceRouting]) -> list[str]:
        return [r.top_id for r in routings]

    assert top_ids(api.list_routings(project_id='p1')) == [
        'vm-1', 'vol-1', 'vm-2']
    assert top_ids(api.list_routings(pod_id=other.id)) == ['vm-2']
    assert top_ids(api.list_routings(resource_type='server',
                                     pod_id=pod.id)) == ['vm-1', 'vm-3']
    assert top_ids(api.list_routings(project_id='p1',
                                     resource_type='server')) == [
        'vm-1', 'vm-2']
    assert top_ids(api.list_routings(project_id='p2')) == ['vm-3']
    assert api.count_routings_by_pod(pod.id) == 3
    assert api.count_routings_by_pod(other.id) == 1
    assert api.count_routings_by_pod('no-such-pod') == 0


def test_pagination_by_marker(pod: models.Pod) -> None:
    for n in range(7):
        api.create_routing(f'vm-{n}', 'server', pod.id, 'p1')
        api.create_routing(f'vol-{n}', 'volume', pod.id, 'p1')

    pages, marker = [], None
    while True:
        page = api.list_routings(resource_type='server', limit=3,
                                 marker=marker)
        if not page:
            break
        pages.append([r.top_id for r in page])
        marker = page[-1].id

    assert pages == [['vm-0', 'vm-1', 'vm-2'], ['vm-3', 'vm-4', 'vm-5'],
                     ['vm-6']]
    assert api.list_routings(limit=0) == []


def test_marker_of_another_filter_still_valid(pod: models.Pod) -> None:
    volume = api.create_routing('vol-0', 'volume', pod.id, 'p1')
    server = api.create_routing('vm-0', 'server', pod.id, 'p1')
    assert [r.id for r in api.list_routings(resource_type='server',
                                            marker=volume.id)] == [server.id]


def test_unknown_marker_refused(pod: models.Pod) -> None:
    routing = api.create_routing('vm-0', 'server', pod.id, 'p1')
    with pytest.raises(exceptions.MarkerNotFound) as caught:
        api.list_routings(marker=routing.id + 1000)
    assert caught.value.marker == routing.id + 1000
    with pytest.raises(exceptions.InvalidValue):
        api.list_routings(limit=-1)


def test_status_changes_only_from_the_expected_status(
        pod: models.Pod) -> None:
    routing = api.create_routing('vm-c', 'server', pod.id, 'p1')

    assert not api.set_routing_status_if(routing.id, 'deleting', 'active')
    assert api.get_routing(routing.id).status == 'creating'
    assert api.set_routing_status_if(routing.id, 'creating', 'active')
    changed = api.get_routing(routing.id)
    assert (changed.status, changed.updated_at is not None) == (
        'active', True)
    with pytest.raises(exceptions.InvalidValue):
        api.set_routing_status_if(routing.id, 'active', 'bogus')


def test_delete_only_with_the_expected_status(pod: models.Pod) -> None:
    routing = api.create_routing('vm-d', 'server', pod.id, 'p1',
                                 status=RoutingStatus.DELETING)

    assert not api.delete_routing_if(routing.id, 'creating')
    assert api.get_routing(routing.id).status == 'deleting'
    assert api.delete_routing_if(routing.id, 'deleting')
    assert not api.delete_routing_if(routing.id, 'deleting')
    with pytest.raises(exceptions.NotFound):
        api.get_routing(routing.id)


def test_created_servers_routed_and_request_removed_at_once(
        pod: models.Pod) -> None:
    request = api.create_routing('req-1', 'server_request', pod.id, 'p1')

    api.route_created('req-1', 'server_request', ['vm-1', 'vm-2'],
                      'server', pod.id, 'p1', pod_project_id='pp')

    routed = api.list_routings()
    assert [(r.top_id, r.resource_type, r.bottom_id, r.status,
             r.project_id, r.pod_project_id) for r in routed] == [
        ('vm-1', 'server', 'vm-1', 'active', 'p1', 'pp'),
        ('vm-2', 'server', 'vm-2', 'active', 'p1', 'pp')]
    assert all(r.created_at >= request.created_at for r in routed)


def test_a_routed_id_changes_nothing_and_keeps_the_request(
        pod: models.Pod) -> None:
    api.create_routing('req-1', 'server_request', pod.id, 'p1')
    api.create_routing('vm-2', 'server', pod.id, 'p1', status='active')

    with pytest.raises(exceptions.Duplicate):
        api.route_created('req-1', 'server_request', ['vm-1', 'vm-2'],
                          'server', pod.id, 'p1')

    assert sorted(r.top_id for r in api.list_routings()) == [
        'req-1', 'vm-2']


def test_status_set_and_routing_forgotten_by_top_id(
        pod: models.Pod) -> None:
    routing = api.create_routing('vm-1', 'server', pod.id, 'p1')

    api.set_routing_status('vm-1', 'server', 'deleting')
    changed = api.get_routing(routing.id)
    assert (changed.status, changed.updated_at is not None) == (
        'deleting', True)
    with pytest.raises(exceptions.InvalidValue):
        api.set_routing_status('vm-1', 'server', 'bogus')
    api.forget_routing('vm-1', 'server')
    api.forget_routing('vm-1', 'server')
    assert api.list_routings() == []
    with pytest.raises(exceptions.NotFound):
        api.set_routing_status('vm-1', 'server', 'active')


def test_deleted_rows_kept_until_removed(pod: models.Pod) -> None:
    routing = api.create_routing('vm-1', 'server', pod.id, 'p1',
                                 status=RoutingStatus.DELETING)

    assert api.set_routing_status_if(routing.id, 'deleting', 'deleted')
    assert not api.delete_routing_if(routing.id, 'deleting')
    kept = api.get_routing_by_top_id('vm-1', 'server')
    assert kept.status == 'deleted' and kept.updated_at is not None
    assert [(r.top_id, r.status) for r in api.list_routings(
        project_id='p1')] == [('vm-1', 'deleted')]
    assert api.delete_routing_if(routing.id, 'deleted')
    assert api.list_routings() == []


def test_deleted_rows_do_not_keep_a_pod(pod: models.Pod) -> None:
    routing = api.create_routing('vm-1', 'server', pod.id, 'p1')
    api.mark_routing_deleted(routing.id)

    assert api.count_routings_by_pod(pod.id) == 0
    api.delete_pod(pod.id)
    assert api.list_routings() == []


def test_routing_and_pod_read_in_one_lookup(pod: models.Pod) -> None:
    api.create_routing('vm-1', 'server', pod.id, 'p1', bottom_id='b-1')

    routing, found = api.get_routing_and_pod('vm-1', 'server')

    assert (routing['top_id'], routing['bottom_id'], routing['project_id'],
            routing['status']) == ('vm-1', 'b-1', 'p1', 'creating')
    assert routing['created_at'].tzinfo is not None
    assert found == {column: getattr(pod, column)
                     for column in found} and found['id'] == pod.id
    for top_id, kind in (('vm-1', 'volume'), ('vm-2', 'server'),
                         ('vm\x00', 'server')):
        with pytest.raises(exceptions.NotFound):
            api.get_routing_and_pod(top_id, kind)


def test_routed_pods_and_ids_of_a_project(pod: models.Pod) -> None:
    other = api.create_pod('Pod2', 'az2')
    api.create_routing('vm-1', 'server', pod.id, 'p1')
    api.create_routing('vm-2', 'server', other.id, 'p1', status='deleted')
    api.create_routing('vm-3', 'server', other.id, 'p2')
    api.create_routing('vol-1', 'volume', other.id, 'p1')

    assert api.routed_pod_ids('p1', 'server') == {pod.id, other.id}
    assert api.routed_pod_ids('p2', 'server') == {other.id}
    assert api.routed_pod_ids('p3', 'server') == set()
    assert api.routed_top_ids(
        'p1', 'server', ['vm-1', 'vm-2', 'vm-3', 'vol-1', 'vm\x00', 'x']
    ) == {'vm-1', 'vm-2'}
    assert api.routed_top_ids('p1', 'server', []) == set()
    assert [row['top_id'] for row in api.list_routing_rows(
        project_id='p1', resource_type='server')] == ['vm-1', 'vm-2']
