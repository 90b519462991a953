"""Actions that keep the routing table right: unshelve stays in the
server's pod; forceDelete leaves the routing deleting (a later 404
removes it); restore brings it back to active."""

from __future__ import annotations

import pytest

from trio2o_core.plugin import Conflict
from trio2o_core.testing.fake_pods import pod_response

from .conftest import POD1
from .conftest import SERVER
from .conftest import FakeCloud
from .conftest import Post

ACTION = f'/servers/{SERVER}/action'


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

def test_force_delete_leaves_the_routing_deleting_without_polling(
        post: Post, cloud: FakeCloud) -> None:
    cloud.script(POD1, 'POST', ACTION, pod_response(202))
    assert post({'forceDelete': None}).status_code == 202
    assert cloud.routing(SERVER).status == 'deleting'
    assert [c.method for c in cloud.calls] == ['POST']


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
