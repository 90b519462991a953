"""The example plugins, tested with ``trio2o_core.testing``: a fake
gateway over scripted pods and the contract checks every plugin of a
kind must pass."""

from __future__ import annotations

from trio2o_example_plugins import fewest_projects
from trio2o_example_plugins import where_is
from trio2o_example_plugins import widgets

from trio2o_core.plugin import PARTIAL_HEADER
from trio2o_core.plugin import PLUGIN_API_VERSION
from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import ServiceDriver
from trio2o_core.testing.client import Client
from trio2o_core.testing.contract import ActionHandlerContract
from trio2o_core.testing.contract import ServiceDriverContract
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import GATEWAY_URL
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder.service import CinderService
from trio2o_plugins.nova.service import NovaService

SERVER = '6f3c2a0e-2d42-4a5e-9d1e-0c7d1f6b8a11'
VOLUME = '0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e'


class TestWhereIsContract(ActionHandlerContract):
    handler = where_is.WhereIs()


class TestVolumeWhereIsContract(ActionHandlerContract):
    handler = where_is.VolumeWhereIs()


class TestWidgetsContract(ServiceDriverContract):
    def make_driver(self, gateway: FakeGateway) -> ServiceDriver:
        return widgets.WidgetService(gateway)


def test_where_is_answers_with_the_gateway_s_zone_and_links():
    gateway = FakeGateway(pods=2)
    gateway.plugins['trio2o.nova.server_actions'] = {
        'whereIs': where_is.WhereIs()}
    pod = gateway.pod(2)
    gateway.route(SERVER, pod)
    root = gateway.roots[pod.id]
    gateway.script(pod, 'GET', f'/servers/{SERVER}', pod_response(200, {
        'server': {'OS-EXT-AZ:availability_zone': 'pod2-zone', 'links': [
            {'rel': 'self', 'href': f'{root}/v2.1/servers/{SERVER}'}]}}))
    client = Client(NovaService(gateway))
    path = f'/v2.1/servers/{SERVER}/action'

    reply = client.post(path, {'whereIs': None}, version='2.3')

    assert reply.status == 200
    assert reply.body == {'whereIs': {
        'pod': 'Pod2', 'availability_zone': 'az2', 'links': [
            {'rel': 'self',
             'href': f'{GATEWAY_URL}/compute/v2.1/servers/{SERVER}'}]}}
    assert ('example:where_is', {'project_id': 'project-a'}) in (
        gateway.enforced)
    assert client.post(path, {'whereIs': None}, version='2.2').status == 404


def test_volume_where_is_answers_the_volume_s_pod_and_zone():
    gateway = FakeGateway(pods=2)
    gateway.plugins['trio2o.cinder.volume_actions'] = {
        'whereIs': where_is.VolumeWhereIs()}
    pod = gateway.pod(2)
    gateway.route(VOLUME, pod, resource_type='volume')
    gateway.script(pod, 'GET', f'/volumes/{VOLUME}', pod_response(200, {
        'volume': {'id': VOLUME, 'availability_zone': 'pod2-zone'}}))
    client = Client(CinderService(gateway))

    reply = client.post(f'/v3/volumes/{VOLUME}/action', {'whereIs': None})

    assert (reply.status, reply.body) == (200, {'whereIs': {
        'pod': 'Pod2', 'availability_zone': 'az2'}})
    assert ('example:volume_where_is', {'project_id': 'project-a'}) in (
        gateway.enforced)
    reply = client.post(f'/v3/volumes/{VOLUME}/action', {'whereIs': {}})
    assert reply.status == 400


def test_widgets_merge_the_pods_and_name_the_one_missing():
    gateway = FakeGateway(pods=3)
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'GET', '/widgets', pod_response(
            200, {'widgets': [{'name': f'w{index}'}]}))
    gateway.unreachable.add(gateway.pod(3).id)

    reply = Client(widgets.WidgetService(gateway)).get('/v1/widgets')

    assert reply.status == 200
    assert reply.body == {'widgets': [{'name': 'w1'}, {'name': 'w2'}]}
    assert reply.headers[PARTIAL_HEADER] == 'Pod3'
    # one failure alone does not take a pod down for everybody
    assert not gateway.is_down(gateway.pod(3))


def test_widgets_relay_a_pod_s_refusal():
    gateway = FakeGateway(pods=2)
    fault = {'forbidden': {'code': 403, 'message': 'Not yours.'}}
    gateway.script(gateway.pod(1), 'GET', '/widgets',
                   pod_response(200, {'widgets': []}))
    gateway.script(gateway.pod(2), 'GET', '/widgets',
                   pod_response(403, fault))

    reply = Client(widgets.WidgetService(gateway)).get('/v1/widgets')

    assert (reply.status, reply.body) == (403, fault)


def test_fewest_projects_picks_the_least_bound_pod_then_by_name():
    pods = [Pod(f'p{i}', f'Pod{i}', 'az1', None, None, True)
            for i in (1, 2, 3)]
    policy = fewest_projects.FewestProjects()
    spec = RequestSpec('project', 'server', 'az1',
                       bindings={'p1': 2, 'p2': 1, 'p3': 1})

    assert policy.select_pod(spec, pods).name == 'Pod2'


def test_fewest_projects_then_fewest_routed_resources():
    pods = [Pod(f'p{i}', f'Pod{i}', 'az1', None, None, True)
            for i in (1, 2, 3)]
    spec = RequestSpec('project', 'volume', 'az1',
                       bindings={'p1': 1, 'p2': 1, 'p3': 1},
                       routed={'p1': 9, 'p2': 4, 'p3': 5})

    assert fewest_projects.FewestProjects().select_pod(
        spec, pods).name == 'Pod2'


def test_fewest_projects_is_built_for_this_contract():
    assert fewest_projects.FewestProjects.plugin_api == PLUGIN_API_VERSION
