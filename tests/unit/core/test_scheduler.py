"""The scheduler manager and the built-in ``binding`` policy, on a real
(SQLite) gateway database."""

import pytest

from trio2o_core.core_gateway import to_pod
from trio2o_core.db import api as db
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import RequestSpec
from trio2o_core.scheduler.manager import ANY_AZ
from trio2o_core.scheduler.manager import Scheduler
from trio2o_plugins.scheduler.binding import BindingPolicy


class CountingPolicy(BindingPolicy):
    """The binding policy, remembering every spec it was asked about."""

    def __init__(self):
        self.specs: list[RequestSpec] = []

    def select_pod(self, spec, candidates):
        self.specs.append(spec)
        return super().select_pod(spec, candidates)


@pytest.fixture
def pods(sqlite_db):
    """Pods: az1 has PodA and PodB, az2 has PodC."""
    return {row.name: to_pod(row) for row in (
        db.create_pod('PodB', 'az1', pod_az_name='nova'),
        db.create_pod('PodA', 'az1', pod_az_name='nova'),
        db.create_pod('PodC', 'az2'),
    )}


@pytest.fixture
def down():
    return set()


@pytest.fixture
def policy():
    return CountingPolicy()


@pytest.fixture
def scheduler(pods, down, policy):
    def list_pods():
        return [to_pod(row) for row in db.list_pods(enabled=True)]

    return Scheduler(policy, list_pods, lambda pod: pod.name in down)


def active_bindings(project_id):
    return [(b.az_name, b.pod_id)
            for b in db.list_bindings(project_id=project_id, is_active=True)]


def test_first_create_binds_the_project_in_the_zone(scheduler, pods):
    pod = scheduler.select('p1', 'server', 'az1')

    assert pod == pods['PodA']
    assert active_bindings('p1') == [('az1', pods['PodA'].id)]


def test_binding_is_reused_without_asking_the_policy(scheduler, policy):
    first = scheduler.select('p1', 'server', 'az1')

    assert scheduler.select('p1', 'volume', 'az1') == first
    assert len(policy.specs) == 1
    assert policy.specs[0].project_id == 'p1'
    assert policy.specs[0].resource_type == 'server'


def test_policy_picks_the_least_bound_pod(scheduler, pods, policy):
    db.create_binding('other', 'az1', pods['PodA'].id)

    assert scheduler.select('p1', 'server', 'az1') == pods['PodB']
    assert policy.specs[-1].bindings == {pods['PodA'].id: 1,
                                         pods['PodB'].id: 0}
    assert scheduler.select('p2', 'server', 'az1') == pods['PodA']


def test_no_zone_means_any_enabled_pod(scheduler, pods):
    pod = scheduler.select('p1', 'server', None)

    assert pod == pods['PodA']
    assert active_bindings('p1') == [(ANY_AZ, pods['PodA'].id)]


def test_unknown_zone_is_no_valid_pod(scheduler):
    with pytest.raises(NoValidPod) as info:
        scheduler.select('p1', 'server', 'az9')

    assert info.value.code == 400
    assert info.value.user_message == (
        'The requested availability zone is not available')
    assert "'az9'" in info.value.operator_message
    assert active_bindings('p1') == []


def test_disabled_pods_are_never_chosen(scheduler, pods):
    db.update_pod(pods['PodC'].id, enabled=False)

    with pytest.raises(NoValidPod):
        scheduler.select('p1', 'server', 'az2')


def test_down_pods_are_never_chosen(scheduler, pods, down):
    down.add('PodA')

    assert scheduler.select('p1', 'server', 'az1') == pods['PodB']


def test_every_pod_of_the_zone_down_is_no_valid_pod(scheduler, down):
    down.update({'PodA', 'PodB'})

    with pytest.raises(NoValidPod) as info:
        scheduler.select('p1', 'server', 'az1')

    assert info.value.user_message == (
        'No valid host was found. There are not enough hosts available.')
    assert active_bindings('p1') == []


def test_bound_pod_down_is_unavailable_not_rebound(scheduler, pods, down):
    scheduler.select('p1', 'server', 'az1')
    down.add('PodA')

    with pytest.raises(PodUnavailable) as info:
        scheduler.select('p1', 'server', 'az1')

    assert info.value.pod_name == 'PodA'
    assert active_bindings('p1') == [('az1', pods['PodA'].id)]


def test_bound_pod_disabled_binds_anew(scheduler, pods):
    scheduler.select('p1', 'server', 'az1')
    db.update_pod(pods['PodA'].id, enabled=False)

    assert scheduler.select('p1', 'server', 'az1') == pods['PodB']
    assert active_bindings('p1') == [('az1', pods['PodB'].id)]
    assert [(b.pod_id, b.is_active)
            for b in db.list_bindings(project_id='p1')] == [
        (pods['PodA'].id, False), (pods['PodB'].id, True)]


def test_projects_and_zones_are_bound_separately(scheduler, pods):
    scheduler.select('p1', 'server', 'az1')
    scheduler.select('p1', 'server', 'az2')
    scheduler.select('p2', 'server', 'az1')

    assert sorted(active_bindings('p1')) == [('az1', pods['PodA'].id),
                                             ('az2', pods['PodC'].id)]
    assert active_bindings('p2') == [('az1', pods['PodB'].id)]


def test_binding_policy_breaks_ties_by_name(pods):
    spec = RequestSpec('p1', 'server', 'az1', {})

    chosen = BindingPolicy().select_pod(spec, [pods['PodB'], pods['PodA']])

    assert chosen == pods['PodA']
    assert BindingPolicy().describe() == (
        'Bind a project to the pod of the zone with the fewest projects.')
