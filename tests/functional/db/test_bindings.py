"""Pod bindings: one active binding per (project, AZ), held by the database."""

import threading
from concurrent import futures

import pytest
import sqlalchemy as sa

from trio2o_core.db import api
from trio2o_core.db import exceptions
from trio2o_core.db import models

THREADS = 6


def _active_id(project_id: str, az_name: str) -> str | None:
    binding = api.get_active_binding(project_id, az_name)
    return binding.id if binding else None


@pytest.fixture
def pods(db: str) -> list[models.Pod]:
    return [api.create_pod(f'Pod{n}', 'az1') for n in range(1, 4)]


def test_create_get_list(pods: list[models.Pod]) -> None:
    first = api.create_binding('p1', 'az1', pods[0].id)
    api.create_binding('p1', 'az2', pods[1].id)
    api.create_binding('p2', 'az1', pods[1].id, is_active=False)

    assert api.get_binding(first.id).as_dict() == first.as_dict()
    assert _active_id('p1', 'az1') == first.id
    assert api.get_active_binding('p2', 'az1') is None
    assert len(api.list_bindings()) == 3
    assert [b.az_name for b in api.list_bindings(project_id='p1')] == [
        'az1', 'az2']
    assert [b.project_id for b in api.list_bindings(pod_id=pods[1].id,
                                                    is_active=False)] == ['p2']
    assert [b.id for b in api.list_bindings(project_id='p1', az_name='az1',
                                            is_active=True)] == [first.id]


def test_pods_read_with_the_active_binding(pods: list[models.Pod]) -> None:
    api.update_pod(pods[2].id, enabled=False)
    old = api.create_binding('p1', 'az1', pods[0].id, is_active=False)
    active = api.create_binding('p1', 'az1', pods[2].id)
    api.create_binding('p1', 'az2', pods[1].id)
    api.create_binding('p2', 'az1', pods[1].id)

    found, binding = api.pods_and_active_binding('p1', 'az1')

    assert [(p.name, p.enabled) for p in found] == [
        ('Pod1', True), ('Pod2', True), ('Pod3', False)]
    assert binding is not None and binding.as_dict() == active.as_dict()
    assert binding.id != old.id
    assert api.pods_and_active_binding('p3', 'az1')[1] is None
    assert len(api.pods_and_active_binding('p3', 'az1')[0]) == 3


def test_second_active_binding_refused(pods: list[models.Pod]) -> None:
    api.create_binding('p1', 'az1', pods[0].id)
    with pytest.raises(exceptions.Duplicate) as caught:
        api.create_binding('p1', 'az1', pods[1].id)
    assert caught.value.columns == ('project_id', 'az_name')
    assert [b.pod_id for b in api.list_bindings()] == [pods[0].id]


def test_inactive_bindings_coexist(pods: list[models.Pod]) -> None:
    for pod in pods:
        api.create_binding('p1', 'az1', pod.id, is_active=False)
    active = api.create_binding('p1', 'az1', pods[0].id)
    assert len(api.list_bindings(project_id='p1', is_active=False)) == 3
    assert _active_id('p1', 'az1') == active.id


def test_deactivate_then_rebind(pods: list[models.Pod]) -> None:
    old = api.create_binding('p1', 'az1', pods[0].id)
    assert api.deactivate_binding(old.id).is_active is False
    new = api.create_binding('p1', 'az1', pods[1].id)
    assert _active_id('p1', 'az1') == new.id
    assert api.get_binding(old.id).is_active is False


def test_database_refuses_second_active_row(pods: list[models.Pod]) -> None:
    """The rule holds for writers that bypass the API's helpers."""
    table = sa.insert(models.PodBinding)
    row = {'project_id': 'p1', 'az_name': 'az1', 'pod_id': pods[0].id,
           'is_active': True, 'active_key': True,
           'created_at': models.utcnow()}
    with api.session_scope() as session:
        session.execute(table, {**row, 'id': 'a'})
    with pytest.raises(exceptions.Duplicate):
        with api.session_scope() as session:
            session.execute(table, {**row, 'id': 'b'})


@pytest.mark.parametrize('is_active, active_key', [(True, None),
                                                   (False, True)])
def test_database_keeps_active_key_in_step(
        pods: list[models.Pod], is_active: bool,
        active_key: bool | None) -> None:
    with pytest.raises(exceptions.InvalidValue):
        with api.session_scope() as session:
            session.execute(sa.insert(models.PodBinding), {
                'id': 'a', 'project_id': 'p1', 'az_name': 'az1',
                'pod_id': pods[0].id, 'is_active': is_active,
                'active_key': active_key, 'created_at': models.utcnow()})
    assert api.list_bindings() == []


def test_unknown_pod_refused(db: str) -> None:
    with pytest.raises(exceptions.InvalidReference) as caught:
        api.create_binding('p1', 'az1', 'no-such-pod')
    # SQLite does not say which foreign key failed.
    assert caught.value.columns in {('pod_id',), ()}
    assert api.list_bindings() == []


def test_delete(pods: list[models.Pod]) -> None:
    binding = api.create_binding('p1', 'az1', pods[0].id)
    api.delete_binding(binding.id)
    with pytest.raises(exceptions.NotFound):
        api.get_binding(binding.id)
    with pytest.raises(exceptions.NotFound):
        api.delete_binding(binding.id)
    with pytest.raises(exceptions.NotFound):
        api.deactivate_binding(binding.id)


def test_get_or_create_returns_existing(pods: list[models.Pod]) -> None:
    existing = api.create_binding('p1', 'az1', pods[0].id)

    def choose_pod() -> str:
        raise AssertionError('an active binding exists: nothing to choose')

    assert api.get_or_create_active_binding(
        'p1', 'az1', choose_pod).id == existing.id


def test_get_or_create_concurrent_callers_share_one_winner(
        pods: list[models.Pod]) -> None:
    start = threading.Barrier(THREADS)
    chosen = threading.Barrier(THREADS, timeout=2)
    choosers: list[int] = []

    def call(n: int) -> str:
        def choose_pod() -> str:
            choosers.append(n)
            try:
                chosen.wait()  # let every caller insert at once
            except threading.BrokenBarrierError:
                pass  # some callers saw the winner already
            return pods[n % len(pods)].id

        start.wait()
        return api.get_or_create_active_binding('p1', 'az1', choose_pod).id

    with futures.ThreadPoolExecutor(THREADS) as pool:
        winners = set(pool.map(call, range(THREADS)))

    assert len(choosers) > 1, 'the callers did not race'
    assert len(winners) == 1
    assert [b.id for b in api.list_bindings(project_id='p1')] == list(winners)


def test_concurrent_moves_of_a_binding_share_one_new_binding(
        pods: list[models.Pod]) -> None:
    old = api.create_binding('p1', 'az1', pods[0].id)
    start = threading.Barrier(THREADS)
    chosen = threading.Barrier(THREADS, timeout=2)
    choosers: list[int] = []

    def move(n: int) -> str:
        def choose_pod() -> str:
            choosers.append(n)
            try:
                chosen.wait()  # let every mover insert at once
            except threading.BrokenBarrierError:
                pass  # some movers saw the new binding already
            return pods[1 + n % 2].id

        start.wait()
        return api.rebind(old.id, 'p1', 'az1', choose_pod).id

    with futures.ThreadPoolExecutor(THREADS) as pool:
        moved = set(pool.map(move, range(THREADS)))

    assert len(choosers) > 1, 'the movers did not race'
    assert len(moved) == 1
    assert [(b.id, b.is_active) for b in api.list_bindings(
        project_id='p1')] == [(old.id, False), (moved.pop(), True)]


def test_rebind_of_a_binding_moved_already_keeps_the_new_one(
        pods: list[models.Pod]) -> None:
    old = api.create_binding('p1', 'az1', pods[0].id)
    new = api.rebind(old.id, 'p1', 'az1', lambda: pods[1].id)

    # a late mover of the old binding finds the new one and keeps it
    late = api.rebind(old.id, 'p1', 'az1', lambda: pods[2].id)

    assert late.id == new.id and late.pod_id == pods[1].id
    assert len(api.list_bindings(project_id='p1')) == 2


def test_get_or_create_passes_on_choose_pod_errors(db: str) -> None:
    class NoPod(Exception):
        pass

    def choose_pod() -> str:
        raise NoPod()

    with pytest.raises(NoPod):
        api.get_or_create_active_binding('p1', 'az1', choose_pod)
    assert api.list_bindings() == []


def test_get_or_create_refuses_unknown_pod(db: str) -> None:
    with pytest.raises(exceptions.InvalidReference):
        api.get_or_create_active_binding('p1', 'az1', lambda: 'no-such-pod')
    with api.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(
            models.PodBinding)) == 0
