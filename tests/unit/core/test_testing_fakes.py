"""The plugin test kit: scripted pods behind the core's own pod caller."""

from __future__ import annotations

import pytest

from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import PodFailed
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import ServiceAPI
from trio2o_core.testing.client import caller
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import FakeGateway

API = ServiceAPI(catalog_service='compute', version_suffix=r'/v2\.1',
                 zone_keys=('zone',))


def test_script_answers_in_turn_then_repeats_the_last():
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    gateway.script(pod, 'GET', '/x', pod_response(200, {'n': 1}),
                   pod_response(200, {'n': 2}))
    pods = caller(gateway, API)

    answers = [pods.call(pod, 'GET', '/x').json()['n'] for _ in range(3)]

    assert answers == [1, 2, 2]
    assert [c.path for c in gateway.calls] == ['/x'] * 3


def test_handler_answers_what_is_not_scripted():
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    seen: list[PodRequest] = []

    def handler(call: PodRequest):
        seen.append(call)
        return pod_response(200, {'zone': 'pod1-zone',
                                  'href': gateway.roots[pod.id] + '/v2.1/x'})

    gateway.serve(pod, handler)
    pods = caller(gateway, API, project='p1')

    reply = pods.call(pod, 'GET', '/x', params={'a': 1})

    [call] = seen
    assert (call.path, call.params, call.context.project_id) == (
        '/x', [('a', '1')], 'p1')
    assert call.headers['X-OpenStack-Request-ID'] == 'req-0001'
    assert pods.translate(pod, reply.json()) == {
        'zone': 'az1', 'href': 'http://gateway.example:19996/v2.1/x'}


def test_unreachable_pod_is_marked_down_by_the_core():
    gateway = FakeGateway(pods=2)
    pod = gateway.pod(1)
    gateway.unreachable.add(pod.id)
    pods = caller(gateway, API)
    runs = gateway.conf.pods.down_after_failures
    assert runs > 1

    for _ in range(runs):
        assert not gateway.is_down(pod)
        with pytest.raises(PodUnavailable) as exc:
            pods.call(pod, 'GET', '/x')

    assert not exc.value.answer_lost
    assert gateway.is_down(pod)
    assert not gateway.is_down(gateway.pod(2))


def test_pod_5xx_is_the_core_s_pod_failed():
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    gateway.script(pod, 'GET', '/x', pod_response(500))
    pods = caller(gateway, API)

    with pytest.raises(PodFailed):
        pods.relay(pod, pods.call(pod, 'GET', '/x'))


@pytest.mark.parametrize('status', [502, 504])
def test_a_proxy_s_bad_gateway_is_a_lost_answer(status):
    gateway = FakeGateway(pods=1)
    pod = gateway.pod(1)
    gateway.script(pod, 'POST', '/x', pod_response(status))
    pods = caller(gateway, API)

    with pytest.raises(PodUnavailable) as exc:
        pods.call(pod, 'POST', '/x')

    assert exc.value.answer_lost


def test_enforce_denies_admin_rules_to_members():
    gateway = FakeGateway(pods=0, admin_rules={'admin:only'})
    member = type('Ctx', (), {'is_admin': False})()

    gateway.enforce(member, 'anyone')
    with pytest.raises(Forbidden, match='admin:only'):
        gateway.enforce(member, 'admin:only')
    assert [rule for rule, _ in gateway.enforced] == ['anyone', 'admin:only']
