"""Actions that keep the routing table right: unshelve stays in the
server's pod; forceDelete removes the routing once the pod has no
server; restore brings it back to active."""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as ks_exc

from trio2o_core.plugin import Conflict
from trio2o_core.testing.fakes import pod_response
from trio2o_plugins.nova.actions import delete

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post

ACTION = f'/servers/{SERVER}/action'
SHOW = f'/servers/{SERVER}'
GONE = pod_response(404, {'itemNotFound': {
    'code': 404, 'message': f'Instance {SERVER} could not be found.'}})
STILL_THERE = pod_response(200, {'server': {'id': SERVER,
                                            'status': 'DELETED'}})


@pytest.fixture(autouse=True)
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delete.ForceDelete, 'wait', 0.05)
    monkeypatch.setattr(delete.ForceDelete, 'interval', 0.01)


# unshelve

@pytest.mark.parametrize('version, sent, forwarded', [
    ('2.77', {'availability_zone': 'az1'},
     {'availability_zone': 'pod1-zone'}),
    ('2.91', {'availability_zone': 'az1', 'host': 'compute2'},
     {'availability_zone': 'pod1-zone', 'host': 'compute2'}),
    ('2.91', {'availability_zone': None}, {'availability_zone': None}),
    ('2.91', {'host': 'compute2'}, {'host': 'compute2'}),
    ('2.77', {'availability_zone': 'nowhere'},
     {'availability_zone': 'nowhere'}),
    ('2.76', {'availability_zone': 'az2'}, {'availability_zone': 'az2'}),
])
def test_unshelve_zone_of_the_server_pod_is_sent_as_the_pod_knows_it(
        post: Post, cloud: FakeCloud, version: str, sent: dict,
        forwarded: dict) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post({'unshelve': sent}, version=version).status_code == 202
    assert cloud.calls[0].json == {'unshelve': forwarded}


@pytest.mark.parametrize('version', ['2.77', '2.91'])
def test_unshelve_into_a_zone_of_another_pod_is_409(
        post: Post, cloud: FakeCloud, version: str) -> None:
    with pytest.raises(Conflict) as exc:
        post({'unshelve': {'availability_zone': 'az2'}}, version=version)
    assert exc.value.code == 409
    assert exc.value.user_message == (
        f'Unshelving server {SERVER} to availability zone az2 is not '
        'supported: that zone is served by another pod.')
    assert cloud.calls == []


# forceDelete

def test_force_delete_marks_the_routing_once_the_pod_has_no_server(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    cloud.script(POD1, 'GET', SHOW, STILL_THERE, GONE)
    assert post({'forceDelete': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'deleted'
    assert [c.method for c in cloud.calls] == ['POST', 'GET', 'GET']


def test_force_delete_leaves_deleting_when_the_pod_is_slow(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    cloud.script(POD1, 'GET', SHOW, STILL_THERE)
    assert post({'forceDelete': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'deleting'
    assert len(cloud.calls_to('GET')) >= 2


def test_force_delete_takes_only_nova_not_found_as_gone(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    cloud.script(POD1, 'GET', SHOW, pod_response(404))
    assert post({'forceDelete': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'deleting'


def test_force_delete_answers_202_when_the_pod_stops_answering(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    cloud.script(POD1, 'GET', SHOW, ks_exc.ConnectFailure('refused'))
    assert post({'forceDelete': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'deleting'
    assert cloud.is_down(POD1)


def test_force_delete_refused_by_the_pod_keeps_the_routing(
        post: Post, cloud: FakeCloud) -> None:
    fault = {'conflictingRequest': {'code': 409,
                                    'message': f'Instance {SERVER} is locked'}}
    cloud.script(POD1, 'POST', ACTION, pod_response(409, fault))
    response = post({'forceDelete': None})
    assert (response.status_code, response.json_body) == (409, fault)
    assert cloud.routing(SERVER).status == 'active'
    assert cloud.calls_to('GET') == []


# restore

def test_restore_makes_a_deleting_routing_active(post: Post,
                                                 cloud: FakeCloud) -> None:
    cloud.route(SERVER, POD1, status='deleting')
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post({'restore': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'active'


def test_restore_refused_by_the_pod_changes_nothing(
        post: Post, cloud: FakeCloud) -> None:
    cloud.route(SERVER, POD1, status='deleting')
    cloud.script(POD1, 'POST', ACTION, pod_response(409, {
        'conflictingRequest': {'code': 409, 'message': (
            f"Instance {SERVER} is in an invalid state for 'restore'")}}))
    assert post({'restore': None}).status_code == 409
    assert cloud.routing(SERVER).status == 'deleting'
