"""The scheduler manager: bindings made, kept and moved, on a real
(SQLite) gateway database, with the built-in ``binding`` policy."""

import pytest

from trio2o_core.core_gateway import placement_state
from trio2o_core.core_gateway import to_pod
from trio2o_core.db import api as db
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import PluginError
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import RequestSpec
from trio2o_core.scheduler.manager import ANY_AZ
from trio2o_core.scheduler.manager import Placement
from trio2o_core.scheduler.manager import Scheduler
from trio2o_plugins.scheduler.binding import BindingPolicy


class CountingPolicy(BindingPolicy):
    """The binding policy, remembering every spec and candidates it was
    asked about."""

    def __init__(self):
        self.specs: list[RequestSpec] = []
        self.candidates: list[list[str]] = []

    def select_pod(self, spec, candidates):
        self.specs.append(spec)
        self.candidates.append([pod.name for pod in candidates])
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
    return Scheduler(policy, placement_state, lambda pod: pod.name in down)


def place(scheduler, project_id, resource_type='server', az_name='az1',
          **details):
    return scheduler.select(Placement(project_id, resource_type, az_name,
                                      **details))


def active_bindings(project_id):
    return [(b.az_name, b.pod_id)
            for b in db.list_bindings(project_id=project_id, is_active=True)]


def history(project_id):
    return [(b.pod_id, b.is_active)
            for b in db.list_bindings(project_id=project_id)]


def test_first_create_binds_the_project_in_the_zone(scheduler, pods):
    pod = place(scheduler, 'p1')

    assert pod == pods['PodA']
    assert active_bindings('p1') == [('az1', pods['PodA'].id)]


def test_binding_is_reused_without_asking_the_policy(scheduler, policy):
    first = place(scheduler, 'p1')

    assert place(scheduler, 'p1', 'volume') == first
    assert len(policy.specs) == 1
    assert policy.specs[0].project_id == 'p1'
    assert policy.specs[0].resource_type == 'server'


def test_the_policy_is_told_the_request_and_the_pods(scheduler, pods,
                                                     policy):
    db.create_binding('other', 'az1', pods['PodA'].id)
    db.create_routing('s-1', 'server', pods['PodB'].id, 'other')
    db.update_pod(pods['PodB'].id, weight=5)

    place(scheduler, 'p1', flavor='42', image='img', size=None,
          hints={'group': 'g'})

    spec = policy.specs[-1]
    assert (spec.flavor, spec.image, spec.hints) == ('42', 'img',
                                                     {'group': 'g'})
    assert spec.bindings == {pods['PodA'].id: 1, pods['PodB'].id: 0}
    assert spec.routed == {pods['PodA'].id: 0, pods['PodB'].id: 1}
    assert spec.weights == {pods['PodA'].id: 1, pods['PodB'].id: 5}
    assert spec.capacity == {}


def test_policy_picks_the_least_bound_pod(scheduler, pods, policy):
    db.create_binding('other', 'az1', pods['PodA'].id)

    assert place(scheduler, 'p1') == pods['PodB']
    assert place(scheduler, 'p2') == pods['PodA']


def test_no_zone_means_any_enabled_pod(scheduler, pods):
    pod = place(scheduler, 'p1', az_name=None)

    assert pod == pods['PodA']
    assert active_bindings('p1') == [(ANY_AZ, pods['PodA'].id)]


def test_unknown_zone_is_no_valid_pod(scheduler):
    with pytest.raises(NoValidPod) as info:
        place(scheduler, 'p1', az_name='az9')

    assert info.value.code == 400
    assert info.value.user_message == (
        'The requested availability zone is not available')
    assert "'az9'" in info.value.operator_message
    assert active_bindings('p1') == []


def test_disabled_pods_are_never_chosen(scheduler, pods):
    db.update_pod(pods['PodC'].id, enabled=False)

    with pytest.raises(NoValidPod):
        place(scheduler, 'p1', az_name='az2')


def test_down_pods_are_never_chosen(scheduler, pods, down, policy):
    down.add('PodA')

    assert place(scheduler, 'p1') == pods['PodB']
    assert policy.candidates == [['PodB']]


def test_draining_pods_are_never_chosen(scheduler, pods, policy):
    db.update_pod(pods['PodA'].id, draining=True)

    assert place(scheduler, 'p1') == pods['PodB']
    assert policy.candidates == [['PodB']]


def test_pods_lacking_the_flavor_are_never_chosen(scheduler, pods, policy):
    asked = []

    def offers(pod):
        asked.append(pod.name)
        return pod.name == 'PodB'

    assert place(scheduler, 'p1', flavor='big', offers=offers) == pods['PodB']
    assert sorted(asked) == ['PodA', 'PodB']
    # a bound pod is not asked again
    place(scheduler, 'p1', flavor='big', offers=offers)
    assert len(asked) == 2


def test_no_pod_offering_the_flavor_is_no_valid_host(scheduler):
    with pytest.raises(NoValidPod) as info:
        place(scheduler, 'p1', offers=lambda pod: False)

    assert info.value.user_message == (
        'No valid host was found. There are not enough hosts available.')
    assert active_bindings('p1') == []


def test_every_pod_of_the_zone_down_is_no_valid_pod(scheduler, down):
    down.update({'PodA', 'PodB'})

    with pytest.raises(NoValidPod) as info:
        place(scheduler, 'p1')

    assert info.value.user_message == (
        'No valid host was found. There are not enough hosts available.')
    assert active_bindings('p1') == []


@pytest.mark.parametrize('loss', ['down', 'disabled', 'draining', 'full'])
def test_binding_moves_off_a_lost_pod_and_keeps_history(scheduler, pods,
                                                        down, loss):
    place(scheduler, 'p1')
    refused = None
    if loss == 'down':
        down.add('PodA')
    elif loss == 'disabled':
        db.update_pod(pods['PodA'].id, enabled=False)
    elif loss == 'draining':
        db.update_pod(pods['PodA'].id, draining=True)
    else:
        refused = pods['PodA']

    assert place(scheduler, 'p1', refused=refused) == pods['PodB']
    assert active_bindings('p1') == [('az1', pods['PodB'].id)]
    assert history('p1') == [(pods['PodA'].id, False),
                             (pods['PodB'].id, True)]


def test_a_refusal_by_a_pod_no_longer_bound_moves_nothing(scheduler, pods):
    place(scheduler, 'p1')
    place(scheduler, 'p1', refused=pods['PodA'])   # now in PodB

    # a second worker learns late that PodA refused: it follows the move
    assert place(scheduler, 'p1', refused=pods['PodA']) == pods['PodB']
    assert len(history('p1')) == 2


def test_bound_pod_down_with_nowhere_to_go_is_unavailable(scheduler, pods,
                                                          down):
    place(scheduler, 'p1')
    down.update({'PodA', 'PodB'})

    with pytest.raises(PodUnavailable) as info:
        place(scheduler, 'p1')

    assert info.value.pod_name == 'PodA'
    assert active_bindings('p1') == [('az1', pods['PodA'].id)]


def test_full_pod_with_nowhere_to_go_keeps_the_binding(scheduler, pods,
                                                       down):
    place(scheduler, 'p1')
    down.add('PodB')

    with pytest.raises(NoValidPod):
        place(scheduler, 'p1', refused=pods['PodA'])

    assert active_bindings('p1') == [('az1', pods['PodA'].id)]


def test_a_pinned_pod_is_taken_without_binding(scheduler, pods, policy):
    assert place(scheduler, 'p1', pinned=pods['PodB']) == pods['PodB']
    assert policy.specs == []
    assert active_bindings('p1') == []


@pytest.mark.parametrize('state', ['other zone', 'draining', 'down'])
def test_a_pinned_pod_must_be_able_to_take_it(scheduler, pods, down,
                                              state):
    if state == 'draining':
        db.update_pod(pods['PodB'].id, draining=True)
    if state == 'down':
        down.add('PodB')
    pinned = to_pod(db.get_pod(
        pods['PodC' if state == 'other zone' else 'PodB'].id))

    with pytest.raises(PodUnavailable if state == 'down' else NoValidPod):
        place(scheduler, 'p1', pinned=pinned)


def test_a_policy_choosing_outside_the_candidates_is_an_error(pods, down):
    class Wrong(BindingPolicy):
        def select_pod(self, spec, candidates):
            return pods['PodC']

    scheduler = Scheduler(
        Wrong(), lambda project, zone: (list(pods.values()), None),
        lambda pod: False)

    with pytest.raises(PluginError) as info:
        place(scheduler, 'p1')

    assert 'PodC' in info.value.operator_message
    assert active_bindings('p1') == []


def test_projects_and_zones_are_bound_separately(scheduler, pods):
    place(scheduler, 'p1')
    place(scheduler, 'p1', az_name='az2')
    place(scheduler, 'p2')

    assert sorted(active_bindings('p1')) == [('az1', pods['PodA'].id),
                                             ('az2', pods['PodC'].id)]
    assert active_bindings('p2') == [('az1', pods['PodB'].id)]
