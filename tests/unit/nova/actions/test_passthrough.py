"""Actions the pod performs: the body goes to the owning pod unchanged,
and the pod's answer comes back with hrefs and zones at the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from trio2o_core.plugin import PodFailed
from trio2o_core.plugin import Routing
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import PROJECT
from trio2o_plugins.nova.actions import dispatch

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post
from .conftest import make_request

ACTION = f'/servers/{SERVER}/action'

# key, body, version, the pod's status and body
CASES: list[tuple[dict[str, Any], str, int, Any]] = [
    ({'os-start': None}, '2.1', 202, None),
    ({'os-stop': {}}, '2.1', 202, None),
    ({'lock': {'anything': 'goes'}}, '2.72', 202, None),
    ({'lock': {'locked_reason': 'maintenance'}}, '2.73', 202, None),
    ({'unlock': None}, '2.73', 202, None),
    ({'pause': None}, '2.1', 202, None),
    ({'unpause': None}, '2.1', 202, None),
    ({'suspend': None}, '2.1', 202, None),
    ({'resume': None}, '2.1', 202, None),
    ({'shelve': None}, '2.1', 202, None),
    ({'shelveOffload': None}, '2.1', 202, None),
    ({'unshelve': None}, '2.77', 202, None),
    ({'migrate': None}, '2.56', 202, None),
    ({'migrate': {'host': 'compute2'}}, '2.56', 202, None),
    ({'trigger_crash_dump': None}, '2.17', 202, None),
    ({'reboot': {'type': 'hard'}}, '2.1', 202, None),
    ({'confirmResize': None}, '2.1', 204, None),
    ({'revertResize': None}, '2.1', 202, None),
    ({'os-resetState': {'state': 'error'}}, '2.1', 202, None),
    ({'injectNetworkInfo': None}, '2.1', 202, None),
    ({'changePassword': {'adminPass': 's3cret'}}, '2.1', 202, None),
    ({'rescue': None}, '2.1', 200, {'adminPass': 'generated'}),
    ({'unrescue': None}, '2.1', 202, None),
    ({'os-getConsoleOutput': {'length': '5'}}, '2.1', 200,
     {'output': 'boot\n'}),
    ({'os-migrateLive': {'block_migration': 'auto', 'host': None}}, '2.25',
     202, None),
    ({'evacuate': {'host': 'compute2', 'onSharedStorage': 'False'}}, '2.1',
     200, {'adminPass': 'pw'}),
    ({'evacuate': {}}, '2.68', 200, None),
    ({'addSecurityGroup': {'name': 'web'}}, '2.1', 202, None),
    ({'removeSecurityGroup': {'name': 'web'}}, '2.1', 202, None),
    ({'createBackup': {'name': 'b', 'backup_type': 'daily',
                       'rotation': 0}}, '2.45', 202,
     {'image_id': '9d0b2c61-7c0b-4a35-9e4f-1c2b3a4d5e6f'}),
    ({'createImage': {'name': 'snap'}}, '2.45', 202,
     {'image_id': '9d0b2c61-7c0b-4a35-9e4f-1c2b3a4d5e6f'}),
    ({'os-getVNCConsole': {'type': 'novnc'}}, '2.5', 200,
     {'console': {'type': 'novnc', 'url': 'http://vnc.pod1/?token=t'}}),
    ({'os-getSerialConsole': {'type': 'serial'}}, '2.1', 200,
     {'console': {'type': 'serial', 'url': 'ws://serial.pod1/?token=t'}}),
    ({'addFixedIp': {'networkId': 7}}, '2.43', 202, None),
    ({'removeFloatingIp': {'address': '10.0.0.5'}}, '2.43', 202, None),
]


@pytest.mark.parametrize('body, version, status, pod_body', CASES,
                         ids=[next(iter(case[0])) + '@' + case[1]
                              for case in CASES])
def test_body_goes_to_the_pod_and_its_answer_comes_back(
        post: Post, cloud: FakeCloud, body: dict, version: str,
        status: int, pod_body: Any) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(status, pod_body))
    response = post(body, version=version)
    # createImage reads its image afterwards (see test_images)
    [call] = [c for c in cloud.calls if c.method == 'POST']
    assert (call.pod.name, call.method, call.path, call.json) == (
        'Pod1', 'POST', ACTION, body)
    assert call.microversion == version
    assert call.headers['X-OpenStack-Request-ID'] == 'req-0001'
    assert response.status_code == status
    if pod_body is None:
        assert response.body == b''
    else:
        assert response.json_body == pod_body


def test_the_pod_is_called_with_the_bottom_id(post: Post,
                                              cloud: FakeCloud) -> None:
    top = '11111111-2222-4333-8444-555555555555'
    cloud.routings[(top, 'server')] = Routing(top, 'server', SERVER, POD1,
                                              PROJECT, 'active')
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post({'pause': None}, server_id=top).status_code == 202
    assert [call.path for call in cloud.calls] == [ACTION]


def test_the_accept_language_reaches_the_pod(
        dispatcher: dispatch.ServerActions, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    request = make_request({'pause': None})
    request.headers['Accept-Language'] = 'fr'
    dispatcher.action(request, SERVER)
    assert cloud.calls[0].headers['Accept-Language'] == 'fr'


@pytest.mark.parametrize('status, name, message', [
    (409, 'conflictingRequest',
     f"Cannot 'pause' instance {SERVER} while it is in vm_state paused"),
    (403, 'forbidden',
     "Policy doesn't allow os_compute_api:os-pause-server:pause to be "
     'performed.'),
    (404, 'itemNotFound', f'Instance {SERVER} could not be found.'),
    (501, 'notImplemented', 'Unable to pause'),
])
def test_pod_errors_pass_through(post: Post, cloud: FakeCloud, status: int,
                                 name: str, message: str) -> None:
    fault = {name: {'code': status, 'message': message}}
    cloud.script(POD1, 'POST', ACTION, pod_response(status, fault))
    response = post({'pause': None})
    assert response.status_code == status
    assert response.json_body == fault


def test_pod_server_error_is_raised_for_the_fault_table(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(500, {
        'computeFault': {'code': 500, 'message': 'boom'}}))
    with pytest.raises(PodFailed) as exc:
        post({'pause': None})
    assert exc.value.status == 500
