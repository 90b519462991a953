"""Each built-in policy's choice, the free-capacity cache, the hints
that name a pod, the refusals that move a binding and the one retry of
a create they bring."""

import dataclasses

import pytest

from trio2o_core.conf import CONF
from trio2o_core.core_gateway import CoreGateway
from trio2o_core.db import api as db
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import NoValidPod
from trio2o_core.plugin import Pod
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import create_with_retry
from trio2o_core.plugin import refused_for_room
from trio2o_core.scheduler.capacity import PodCapacity
from trio2o_core.scheduler.hints import hinted_pod
from trio2o_plugins.scheduler.binding import BindingPolicy
from trio2o_plugins.scheduler.least_loaded import LeastLoadedPolicy
from trio2o_plugins.scheduler.weighted import WeightedPolicy


def pod(name, weight=1):
    return Pod(id=f'id-{name}', name=name, az_name='az1', pod_az_name=None,
               dc_name=None, enabled=True, weight=weight)


A, B, C = pod('PodA'), pod('PodB'), pod('PodC')


def spec(**fields):
    return RequestSpec('p1', 'server', 'az1', **fields)


# binding

def test_binding_takes_the_pod_with_fewest_projects():
    chosen = BindingPolicy().select_pod(
        spec(bindings={A.id: 3, B.id: 1, C.id: 2}), [A, B, C])

    assert chosen == B


def test_binding_breaks_ties_by_name():
    assert BindingPolicy().select_pod(spec(), [B, A]) == A
    assert BindingPolicy().describe() == (
        'Bind a project to the pod of the zone with the fewest projects.')


# least-loaded

def test_least_loaded_takes_the_most_free_capacity():
    chosen = LeastLoadedPolicy().select_pod(
        spec(capacity={A.id: 1024.0, B.id: 8192.0, C.id: 4096.0},
             routed={A.id: 0, B.id: 9, C.id: 0}), [A, B, C])

    assert chosen == B
    assert LeastLoadedPolicy.wants_capacity


def test_least_loaded_counts_routed_resources_when_capacity_is_unknown():
    # PodB's figure is missing (stale or unread): like is compared with
    # like, so routed counts decide for every pod
    chosen = LeastLoadedPolicy().select_pod(
        spec(capacity={A.id: 1.0, C.id: 99.0},
             routed={A.id: 4, B.id: 2, C.id: 3}), [A, B, C])

    assert chosen == B


def test_least_loaded_breaks_ties_by_name():
    assert LeastLoadedPolicy().select_pod(spec(), [C, B]) == B


# weighted

def test_weighted_spreads_projects_in_proportion_to_weights():
    policy = WeightedPolicy()
    heavy, light = pod('PodA', 3), pod('PodB', 1)
    bound = {heavy.id: 0, light.id: 0}
    chosen = []
    for _ in range(8):
        pick = policy.select_pod(
            spec(bindings=dict(bound),
                 weights={heavy.id: 3, light.id: 1}), [light, heavy])
        bound[pick.id] += 1
        chosen.append(pick.name)

    assert bound == {heavy.id: 6, light.id: 2}
    assert chosen[0] == 'PodA'


def test_weighted_never_takes_a_pod_of_weight_zero():
    zero, one = pod('PodA', 0), pod('PodB', 1)
    chosen = WeightedPolicy().select_pod(
        spec(bindings={one.id: 50}, weights={zero.id: 0, one.id: 1}),
        [zero, one])

    assert chosen == one


def test_weighted_with_every_weight_zero_is_no_valid_pod():
    with pytest.raises(NoValidPod):
        WeightedPolicy().select_pod(
            spec(weights={A.id: 0, B.id: 0}), [A, B])


# free capacity

class FakeSession:
    def __init__(self):
        self.answers = {}
        self.asked = []

    def get(self, path, raise_exc, headers, endpoint_filter):
        region = endpoint_filter['region_name']
        self.asked.append((region, endpoint_filter['service_type'], path))
        status, body = self.answers[region]
        return FakeAnswer(status, body)


@dataclasses.dataclass
class FakeAnswer:
    status_code: int
    body: dict

    def json(self):
        return self.body


def stats(free_ram_mb):
    return 200, {'hypervisor_statistics': {'free_ram_mb': free_ram_mb}}


def test_capacity_is_read_once_per_refresh_and_dropped_when_stale():
    session, now = FakeSession(), [0.0]
    capacity = PodCapacity(lambda: session, 'public', refresh=60,
                           max_age=300, clock=lambda: now[0])
    session.answers = {'PodA': stats(512), 'PodB': (503, {})}

    assert capacity([A, B], 'server') == {A.id: 512.0}
    assert session.asked[0] == ('PodA', 'compute',
                                '/os-hypervisors/statistics')
    now[0] = 30.0
    assert capacity([A], 'server') == {A.id: 512.0}
    assert len(session.asked) == 2          # cached: nobody asked again
    now[0] = 90.0
    session.answers['PodA'] = stats(256)
    assert capacity([A], 'server') == {A.id: 256.0}
    now[0] = 500.0
    session.answers['PodA'] = (500, {})
    assert capacity([A], 'server') == {}    # its last figure is stale


def test_volume_capacity_sums_the_pools():
    session = FakeSession()
    session.answers = {'PodA': (200, {'pools': [
        {'capabilities': {'free_capacity_gb': 10}},
        {'capabilities': {'free_capacity_gb': 5.5}},
        {'capabilities': {'free_capacity_gb': 'unknown'}}]}),
        'PodB': (200, {'pools': [
            {'capabilities': {'free_capacity_gb': 'infinite'}}]})}
    capacity = PodCapacity(lambda: session, 'public', 60, 300)

    assert capacity([A, B], 'volume') == {A.id: 15.5, B.id: float('inf')}
    assert session.asked[0][1] == 'volumev3'


# hints

class Context:
    def __init__(self, is_admin=False, project_id='p1'):
        self.is_admin = is_admin
        self.project_id = project_id


@pytest.fixture
def gateway(sqlite_db):
    return CoreGateway(CONF)


def test_pod_hint_names_a_pod_for_admins_only(gateway):
    row = db.create_pod('PodA', 'az1')

    assert hinted_pod(gateway, Context(is_admin=True),
                      {'trio2o:pod': 'PodA'}).id == row.id
    with pytest.raises(Forbidden):
        hinted_pod(gateway, Context(), {'trio2o:pod': 'PodA'})
    with pytest.raises(BadRequest) as info:
        hinted_pod(gateway, Context(is_admin=True), {'trio2o:pod': 'PodZ'})
    assert 'No such pod' in info.value.user_message


def test_same_pod_as_names_the_pod_of_a_server_or_volume(gateway):
    a = db.create_pod('PodA', 'az1')
    b = db.create_pod('PodB', 'az1')
    db.create_routing('srv', 'server', a.id, 'p1', status='active')
    db.create_routing('vol', 'volume', b.id, 'p1', status='active')
    db.create_routing('theirs', 'volume', b.id, 'p2', status='active')

    assert hinted_pod(gateway, Context(),
                      {'trio2o:same_pod_as': 'srv'}).id == a.id
    assert hinted_pod(gateway, Context(),
                      {'trio2o:same_pod_as': ['vol']}).id == b.id
    assert hinted_pod(gateway, Context(), {'group': 'x'}) is None
    with pytest.raises(BadRequest):
        hinted_pod(gateway, Context(), {'trio2o:same_pod_as': 'theirs'})
    with pytest.raises(BadRequest) as info:
        hinted_pod(gateway, Context(),
                   {'trio2o:same_pod_as': ['srv', 'vol']})
    assert 'different pods' in info.value.user_message


# refusals

@dataclasses.dataclass
class Reply:
    status_code: int
    content: bytes


@pytest.mark.parametrize('status,body,full', [
    (403, b'{"forbidden": {"message": "Quota exceeded for instances: '
          b'Requested 1, but already used 0 of 0 instances"}}', True),
    (413, b'{"overLimit": {"message": "VolumeLimitExceeded: Maximum '
          b'number of volumes allowed (0) exceeded for quota volumes."}}',
     True),
    (400, b'{"badRequest": {"message": "No valid host was found."}}', True),
    (403, b'{"forbidden": {"message": "Policy does not allow it"}}', False),
    (400, b'{"badRequest": {"message": "Flavor 9 could not be found"}}',
     False),
    (202, b'{"server": {"id": "quota"}}', False),
])
def test_a_pod_refusing_for_want_of_room(status, body, full):
    assert refused_for_room(Reply(status, body)) is full


# the retry a refusal brings

FULL = Reply(413, b'{"overLimit": {"message": "Quota exceeded"}}')
FORBIDDEN = Reply(403, b'{"forbidden": {"message": "Policy forbids"}}')
MADE = Reply(202, b'{"volume": {"id": "v1"}}')


class Creates:
    """Scripted answers of pods to a create (by pod name, a reply or an
    exception to raise), the pods sent to and the pods refused."""

    def __init__(self, answers, moves_to=B):
        self.answers = answers
        self.moves_to = moves_to
        self.sent = []
        self.refused = []

    def send(self, target):
        self.sent.append(target)
        answer = self.answers[target.name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def reschedule(self, refused):
        self.refused.append(refused)
        if self.moves_to is None:
            raise NoValidPod('No valid host was found.')
        return self.moves_to

    def create(self, scheduled=True):
        return create_with_retry(A, scheduled, self.send, self.reschedule)


@pytest.mark.parametrize('answer', [MADE, FORBIDDEN])
def test_a_create_answered_but_not_for_room_stays_in_its_pod(answer):
    creates = Creates({'PodA': answer})

    assert creates.create() == (A, answer)
    assert (creates.sent, creates.refused) == ([A], [])


@pytest.mark.parametrize('refusal', [PodUnavailable('PodA'), FULL])
def test_a_create_moves_once_to_the_pod_the_binding_moves_to(refusal):
    creates = Creates({'PodA': refusal, 'PodB': MADE})

    assert creates.create() == (B, MADE)
    assert (creates.sent, creates.refused) == ([A, B], [A])


def test_the_second_pod_s_refusal_is_the_answer_without_a_third_try():
    creates = Creates({'PodA': FULL, 'PodB': FULL})

    assert creates.create() == (B, FULL)
    assert (creates.sent, creates.refused) == ([A, B], [A])


def test_the_second_pod_unreachable_is_raised():
    creates = Creates({'PodA': FULL, 'PodB': PodUnavailable('PodB')})

    with pytest.raises(PodUnavailable) as info:
        creates.create()
    assert info.value.pod_name == 'PodB'
    assert creates.refused == [A]


@pytest.mark.parametrize('refusal', [PodUnavailable('PodA'), FULL])
def test_a_pod_not_scheduled_by_binding_is_not_left(refusal):
    creates = Creates({'PodA': refusal})

    if isinstance(refusal, PodUnavailable):
        with pytest.raises(PodUnavailable) as info:
            creates.create(scheduled=False)
        assert info.value is refusal
    else:
        assert creates.create(scheduled=False) == (A, FULL)
    assert (creates.sent, creates.refused) == ([A], [])


def test_a_lost_answer_is_raised_at_once():
    lost = PodUnavailable('PodA', answer_lost=True)
    creates = Creates({'PodA': lost, 'PodB': MADE})

    with pytest.raises(PodUnavailable) as info:
        creates.create()
    assert info.value is lost
    assert (creates.sent, creates.refused) == ([A], [])


def test_unreachable_with_nowhere_to_go_raises_the_pod_s_error():
    unreachable = PodUnavailable('PodA')
    creates = Creates({'PodA': unreachable}, moves_to=None)

    with pytest.raises(PodUnavailable) as info:
        creates.create()
    assert info.value is unreachable
    assert (creates.sent, creates.refused) == ([A], [A])


def test_full_with_nowhere_to_go_answers_the_pod_s_refusal():
    creates = Creates({'PodA': FULL}, moves_to=None)

    assert creates.create() == (A, FULL)
    assert (creates.sent, creates.refused) == ([A], [A])
