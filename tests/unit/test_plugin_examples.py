"""The example plugins of doc/source/plugins.md, tested with
trio2o_core.testing as a plugin package would test them."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

from trio2o_core.plugin import PARTIAL_HEADER
from trio2o_core.plugin import Pod
from trio2o_core.plugin import RequestSpec
from trio2o_core.plugin import ServiceDriver
from trio2o_core.testing.client import Client
from trio2o_core.testing.contract import ActionHandlerContract
from trio2o_core.testing.contract import ServiceDriverContract
from trio2o_core.testing.fakes import GATEWAY_URL
from trio2o_core.testing.fakes import FakeGateway
from trio2o_core.testing.fakes import pod_response
from trio2o_plugins.nova.service import NovaService

EXAMPLES = pathlib.Path(__file__).parents[2] / 'doc' / 'source' / 'examples'
SERVER = '6f3c2a0e-2d42-4a5e-9d1e-0c7d1f6b8a11'


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f'plugin_examples.{name}', EXAMPLES / f'{name}.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


where_is = _example('where_is')
widgets = _example('widgets')
first_fit = _example('first_fit')


class TestWhereIsContract(ActionHandlerContract):
    handler = where_is.WhereIs()


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
    policy = first_fit.FewestProjects()
    spec = RequestSpec('project', 'server', 'az1',
                       bindings={'p1': 2, 'p2': 1, 'p3': 1})

    assert policy.select_pod(spec, pods).name == 'Pod2'
