"""The dispatcher: Nova's order of checks and each of its messages."""

from __future__ import annotations

from typing import Any
from typing import ClassVar

import pytest

from trio2o_core.plugin import ActionContext
from trio2o_core.plugin import ActionResult
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import Forbidden
from trio2o_core.plugin import NotFound
from trio2o_core.plugin import PluginError
from trio2o_core.plugin import PluginLoadError
from trio2o_core.plugin import PodUnavailable
from trio2o_core.plugin import ServerActionHandler
from trio2o_core.plugin import VolumeActionHandler
from trio2o_core.plugin.exceptions import UnsupportedMediaType
from trio2o_core.testing.client import Client
from trio2o_core.testing.fake_pods import pod_response
from trio2o_plugins.nova.actions import dispatch
from trio2o_plugins.nova.actions.base import PodAction
from trio2o_plugins.nova.service import NovaService

from .conftest import OTHER_SERVER
from .conftest import POD1
from .conftest import POD2
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post
from .conftest import make_request

MISSING = 'c0ffee00-0000-4000-8000-000000000000'
ACTION = f'/servers/{SERVER}/action'


def fault(exc_info: pytest.ExceptionInfo[PluginError]) -> tuple[int, str]:
    return exc_info.value.code, exc_info.value.user_message


def dispatcher_for(cloud: FakeCloud, **plugins: Any
                   ) -> dispatch.ServerActions:
    cloud.plugins[dispatch.GROUP] = plugins
    return NovaService(cloud).actions


# body shape (Nova's action_peek)

@pytest.mark.parametrize('raw', [
    b'', b'{}', b'[]', b'{"pause": null, "unpause": null}', b'"ab"',
    b'[1, 2]', b'""', b'{"pause": ', b'\xff\xfe', b'not json',
])
def test_malformed_bodies_are_400(post: Post, raw: bytes) -> None:
    with pytest.raises(BadRequest) as exc:
        post(..., raw=raw)
    assert fault(exc) == (400, 'Malformed request body')


@pytest.mark.parametrize('raw', [b'null', b'5', b'true', b'[1]', b'"a"',
                                 b'1.5'])
def test_bodies_that_are_not_objects_are_404(post: Post, raw: bytes) -> None:
    with pytest.raises(NotFound) as exc:
        post(..., raw=raw)
    assert fault(exc) == (404, 'The resource could not be found.')


@pytest.mark.parametrize('content_type', [
    'application/xml', 'multipart/form-data', 'application/jsonx'])
def test_other_content_types_are_415(post: Post, content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as exc:
        post({'pause': None}, content_type=content_type)
    assert fault(exc) == (415, 'Unsupported Content-Type')


def test_content_type_is_checked_before_the_body(post: Post) -> None:
    with pytest.raises(UnsupportedMediaType):
        post(..., raw=b'{', content_type='application/xml')


@pytest.mark.parametrize('content_type', [
    None, 'text/plain', 'application/json; charset=UTF-8',
    'application/vnd.openstack.compute+json'])
def test_json_content_types(post: Post, cloud: FakeCloud,
                            content_type: str | None) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post({'pause': None},
                content_type=content_type).status_code == 202


# action key

@pytest.mark.parametrize('version', ['2.1', '2.50', '2.104'])
def test_unknown_key_is_400_at_every_version(post: Post,
                                             version: str) -> None:
    with pytest.raises(BadRequest) as exc:
        post({'foo': None}, server_id=MISSING, version=version)
    assert fault(exc) == (400, 'There is no such action: foo')


def test_key_of_a_disabled_action_is_unknown(cloud: FakeCloud) -> None:
    cloud.conf.nova.enabled_server_actions = ['os-start', 'os-stop']
    dispatcher = NovaService(cloud).actions
    assert set(dispatcher.actions) == {'os-start', 'os-stop'}
    with pytest.raises(BadRequest) as exc:
        dispatcher.action(make_request({'pause': None}), SERVER)
    assert fault(exc) == (400, 'There is no such action: pause')


# microversion ranges: before the lookup and before the schema

@pytest.mark.parametrize('body, version', [
    ({'trigger_crash_dump': None}, '2.16'),
    ({'trigger_crash_dump': {'bad': 1}}, '2.1'),
    ({'addFixedIp': {'networkId': 'n'}}, '2.44'),
    ({'removeFloatingIp': {}}, '2.44'),
    ({'os-getVNCConsole': {'type': 'novnc'}}, '2.6'),
    ({'os-getRDPConsole': None}, '2.6'),
])
def test_outside_the_action_range_is_404(post: Post, body: dict,
                                         version: str) -> None:
    with pytest.raises(NotFound) as exc:
        post(body, server_id=MISSING, version=version)
    assert fault(exc) == (404, 'The resource could not be found.')


def test_schema_is_checked_before_the_lookup(post: Post) -> None:
    with pytest.raises(BadRequest) as exc:
        post({'reboot': {'type': 'SOFTX'}}, server_id=MISSING)
    assert fault(exc) == (
        400, "Invalid input for field/attribute type. Value: SOFTX. "
             "'SOFTX' is not one of ['HARD', 'Hard', 'hard', 'SOFT', "
             "'Soft', 'soft']")


def test_extra_property_names_the_action(post: Post) -> None:
    with pytest.raises(BadRequest) as exc:
        post({'reboot': {'type': 'SOFT', 'x': 1}})
    assert fault(exc) == (
        400, "Invalid input for field/attribute reboot. Value: {'type': "
             "'SOFT', 'x': 1}. Additional properties are not allowed ('x' "
             "was unexpected)")


# the server

@pytest.mark.parametrize('body', [{'pause': None}, {'reboot': {
    'type': 'HARD'}}, {'forceDelete': None}, {'lock': None}])
def test_unknown_server_is_404(post: Post, cloud: FakeCloud,
                               body: dict) -> None:
    with pytest.raises(NotFound) as exc:
        post(body, server_id=MISSING)
    assert fault(exc) == (404, f'Instance {MISSING} could not be found.')
    assert cloud.calls == []


@pytest.mark.parametrize('body, version', [
    ({'os-start': None}, '2.1'), ({'os-stop': None}, '2.1'),
    ({'trigger_crash_dump': None}, '2.17')])
def test_unknown_server_has_no_cell_for_power_actions(
        post: Post, body: dict, version: str) -> None:
    with pytest.raises(NotFound) as exc:
        post(body, server_id='not-a-uuid', version=version)
    assert fault(exc) == (404,
                          'Instance not-a-uuid has no mapping to a cell.')


def test_server_of_another_project_is_404(post: Post,
                                          cloud: FakeCloud) -> None:
    with pytest.raises(NotFound) as exc:
        post({'pause': None}, server_id=OTHER_SERVER)
    assert fault(exc) == (404,
                          f'Instance {OTHER_SERVER} could not be found.')
    assert cloud.calls == []


def test_admin_reaches_a_server_of_another_project(
        post: Post, cloud: FakeCloud) -> None:
    path = f'/servers/{OTHER_SERVER}/action'
    cloud.script(POD2, 'POST', path, pod_response(202))
    response = post({'pause': None}, server_id=OTHER_SERVER, admin=True)
    assert response.status_code == 202
    assert [(c.pod.name, c.path) for c in cloud.calls] == [('Pod2', path)]


def test_server_in_a_down_pod_is_503(post: Post, cloud: FakeCloud) -> None:
    cloud.mark_down(POD1)
    with pytest.raises(PodUnavailable) as exc:
        post({'pause': None})
    assert fault(exc) == (503, 'Pod Pod1 is unavailable.')
    assert cloud.calls == []


def test_pod_that_does_not_answer_is_503_and_marked_down(
        post: Post, cloud: FakeCloud) -> None:
    cloud.unreachable.add(POD1.id)
    with pytest.raises(PodUnavailable) as exc:
        post({'pause': None})
    assert fault(exc) == (503, 'Pod Pod1 is unavailable.')
    assert cloud.is_down(POD1)


# removed actions answer before any lookup

def test_reset_network_is_gone(post: Post, cloud: FakeCloud) -> None:
    with pytest.raises(PluginError) as exc:
        post({'resetNetwork': None}, server_id=MISSING)
    assert fault(exc) == (410, 'This resource is no longer available. No '
                               'forwarding address is given.')
    assert cloud.calls == []


def test_rdp_console_is_400_up_to_2_5(post: Post, cloud: FakeCloud) -> None:
    with pytest.raises(BadRequest) as exc:
        post({'os-getRDPConsole': {'type': 'rdp-html5'}}, server_id=MISSING,
             version='2.5')
    assert fault(exc) == (400, 'The server could not comply with the '
                               'request since it is either malformed or '
                               'otherwise incorrect.')
    assert cloud.calls == []


# loading

MISSION = ['os-start', 'os-stop', 'lock', 'unlock', 'pause', 'unpause',
           'resume', 'suspend', 'shelve', 'unshelve', 'shelveOffload',
           'migrate', 'forceDelete', 'trigger_crash_dump']
CATALOGUE = ['reboot', 'resize', 'confirmResize', 'revertResize',
             'os-resetState', 'rebuild', 'createImage', 'createBackup',
             'os-getConsoleOutput', 'changePassword', 'rescue', 'unrescue',
             'restore', 'os-migrateLive', 'evacuate', 'addSecurityGroup',
             'removeSecurityGroup', 'injectNetworkInfo', 'resetNetwork']


def test_every_action_is_installed(cloud: FakeCloud) -> None:
    dispatcher = NovaService(cloud).actions
    assert set(MISSION + CATALOGUE) <= set(dispatcher.actions)
    for action in dispatcher.actions.values():
        assert isinstance(action.handler, PodAction)


def test_routes(cloud: FakeCloud) -> None:
    [route] = dispatcher_for(cloud).routes()
    assert route.path == '/v2.1/servers/{server_id}/action'
    assert set(route.methods) == {'POST'}


class _VolumeThing(VolumeActionHandler):
    def handle(self, ctx: ActionContext, body: Any) -> ActionResult:
        return ActionResult()


class _BadVersion(ServerActionHandler):
    min_version = '2.x'

    def handle(self, ctx: ActionContext, body: Any) -> ActionResult:
        return ActionResult()


def test_handler_of_another_kind_stops_start_up(cloud: FakeCloud) -> None:
    with pytest.raises(PluginLoadError, match="'os-extend'.*_VolumeThing"):
        dispatcher_for(cloud, **{'os-extend': _VolumeThing()})


def test_handler_with_a_bad_version_stops_start_up(
        cloud: FakeCloud) -> None:
    with pytest.raises(PluginLoadError, match="'teleport'.*'2.x'"):
        dispatcher_for(cloud, teleport=_BadVersion())


# handlers outside the built-in family

class _Teleport(ServerActionHandler):
    """An action a third party ships: answers with hrefs of the pod."""

    min_version = '2.10'
    policy_rule = 'example:teleport'
    schemas = ((None, None, {'type': 'object', 'required': ['to']}),)
    seen: ClassVar[list[ActionContext]] = []

    def handle(self, ctx: ActionContext, body: Any) -> ActionResult:
        self.seen.append(ctx)
        ctx.call('GET', f'/servers/{ctx.routing.bottom_id}')
        href = ctx.pods.root(ctx.routing.pod) + '/v2.1/servers/x'
        return ActionResult(200, {'href': href, 'zone': {
            'availability_zone': 'pod1-zone'}}, {'Location': href})


def test_third_party_handler_gets_the_context_and_its_answer_is_translated(
        cloud: FakeCloud) -> None:
    _Teleport.seen.clear()
    dispatcher = dispatcher_for(cloud, teleport=_Teleport())
    response = dispatcher.action(
        make_request({'teleport': {'to': 'mars'}}, version='2.10'), SERVER)
    href = 'http://gateway.example:19996/compute/v2.1/servers/x'
    assert response.status_code == 200
    assert response.json_body == {'href': href, 'zone': {
        'availability_zone': 'az1'}}
    assert response.headers['Location'] == href
    [ctx] = _Teleport.seen
    assert (ctx.routing.top_id, ctx.routing.pod, ctx.microversion) == (
        SERVER, POD1, '2.10')
    [call] = cloud.calls
    assert call.headers['X-OpenStack-Request-ID'] == 'req-0001'
    assert cloud.enforced == [('example:teleport',
                              {'project_id': 'project-a'})]


def test_third_party_handler_range_schema_and_policy(
        cloud: FakeCloud) -> None:
    dispatcher = dispatcher_for(cloud, teleport=_Teleport())
    with pytest.raises(NotFound):
        dispatcher.action(make_request({'teleport': {'to': 'x'}},
                                       version='2.9'), SERVER)
    with pytest.raises(BadRequest) as exc:
        dispatcher.action(make_request({'teleport': {}}, version='2.10'),
                          SERVER)
    assert fault(exc) == (400, "Invalid input for field/attribute "
                               "teleport. Value: {}. 'to' is a required "
                               "property")
    cloud.denied.add('example:teleport')
    with pytest.raises(Forbidden) as exc:
        dispatcher.action(make_request({'teleport': {'to': 'x'}},
                                       version='2.10'), SERVER)
    assert fault(exc) == (403, "Policy doesn't allow example:teleport to "
                               'be performed.')


# mounted in the compute driver

def test_the_compute_driver_serves_the_actions(cloud: FakeCloud) -> None:
    for pod in (POD1, POD2):
        cloud.script(pod, 'GET', '/', pod_response(200, {'version': {
            'version': '2.96'}}))
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    client = Client(NovaService(cloud))
    path = f'/v2.1/servers/{SERVER}/action'
    reply = client.post(path, {'pause': None}, version='2.96')
    assert reply.status == 202
    assert reply.headers['OpenStack-API-Version'] == 'compute 2.96'
    reply = client.post(path, {'foo': None}, version='2.96')
    assert (reply.status, reply.message()) == (
        400, 'There is no such action: foo')
    reply = client.post(path, {'pause': None}, version='2.97')
    assert reply.status == 406


def test_project_scoped_urls_reach_the_same_handlers(
        cloud: FakeCloud) -> None:
    for pod in (POD1, POD2):
        cloud.script(pod, 'GET', '/', pod_response(200, {'version': {
            'version': '2.96'}}))
    mine, other = 'ab' * 16, 'cd' * 16
    client = Client(NovaService(cloud), project=mine)

    reply = client.post(f'/v2.1/{mine}/servers/{SERVER}/action',
                        {'pause': None})
    assert (reply.status, reply.message()) == (
        404, f'Instance {SERVER} could not be found.')
    reply = client.post(f'/v2.1/{other}/servers/{SERVER}/action',
                        {'pause': None})
    assert (reply.status, reply.message()) == (
        400, f"Malformed request URL: URL's project_id '{other}' doesn't "
             f"match Context's project_id '{mine}'")
