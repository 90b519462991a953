"""Bindings move off a pod that cannot take a project's next resource,
against the real pods, under each built-in policy in turn (the rules
are the core's, the choice the policy's): both pods serve zone az1 for
the module, the first user's project is bound to Pod1, and Pod1 then
refuses connections, is disabled, is drained, or is full (the project's
quota in Pod1 set to 0, in Cinder and in Nova). Each time the create lands in
Pod2, the binding moves there and the old one stays as history; what
Pod1 holds keeps working unless Pod1 is disabled (503 naming it). The
scheduler hints that name a pod place one resource there, and must agree
with a server group's pod."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import openstack.connection
import pytest

from tests.functional.cinder.conftest import delete_volume
from tests.functional.cinder.conftest import make_volume
from tests.functional.nova.conftest import FLAVOR_ID
from tests.functional.nova.conftest import IMAGE_ID
from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.gateway import GatewayProcess

Connection = openstack.connection.Connection
ZONE = 'az1'
POLICIES = ('binding', 'least-loaded', 'weighted')


@pytest.fixture(scope='module', params=POLICIES)
def policy(request: pytest.FixtureRequest,
           gateway: GatewayProcess) -> Iterator[str]:
    """The session's gateway with each built-in policy in turn
    (``binding`` again after)."""
    gateway.restart({'scheduler': {'policy': request.param}})
    try:
        yield request.param
    finally:
        gateway.restart({'scheduler': {'policy': 'binding'}})


@pytest.fixture(scope='module')
def shared_zone(gateway: GatewayProcess) -> Iterator[dict[str, str]]:
    """Pod2 serves az1 with Pod1 for the module (az2 again after);
    returns the pods' ids by name."""
    gateway.manage('pod', 'update', 'Pod2', '--az-name', ZONE)
    session = gateway.cloud.session(gateway.cloud.admin)
    pods = session.get(gateway.url + '/admin/v1/pods').json()['pods']
    try:
        yield {pod['name']: pod['id'] for pod in pods}
    finally:
        gateway.manage('pod', 'update', 'Pod2', '--az-name', 'az2')


class Admin:
    """The gateway's admin API as the cloud admin."""

    def __init__(self, gateway: GatewayProcess) -> None:
        self.url = gateway.url + '/admin/v1'
        self.session = gateway.cloud.session(gateway.cloud.admin)

    def bindings(self, project_id: str) -> list[tuple[str, bool]]:
        """The project's az1 bindings, oldest first: (pod id, active)."""
        found = self.session.get(self.url + '/bindings', params={
            'project_id': project_id, 'az_name': ZONE}).json()['bindings']
        return [(b['pod_id'], b['is_active']) for b in found]

    def rebind(self, project_id: str, pod_id: str) -> None:
        """Forget the project's az1 bindings; bind it to ``pod_id``."""
        found = self.session.get(self.url + '/bindings', params={
            'project_id': project_id, 'az_name': ZONE}).json()['bindings']
        for binding in found:
            self.session.delete(f"{self.url}/bindings/{binding['id']}")
        self.session.post(self.url + '/bindings', json={'binding': {
            'project_id': project_id, 'az_name': ZONE, 'pod_id': pod_id}})

    def update_pod(self, pod_id: str, **fields: Any) -> None:
        self.session.put(f'{self.url}/pods/{pod_id}', json={'pod': fields})

    def pod(self, pod_id: str) -> dict[str, Any]:
        return self.session.get(f'{self.url}/pods/{pod_id}').json()['pod']

    def pod_of(self, top_id: str, resource_type: str) -> str:
        """The pod the routing table gives the resource."""
        rows = self.session.get(self.url + '/routings', params={
            'resource_type': resource_type, 'limit': '1000'}).json()[
                'routings']
        [pod_id] = [row['pod_id'] for row in rows if row['top_id'] == top_id]
        return pod_id


@pytest.fixture(scope='module')
def gw_admin(gateway: GatewayProcess) -> Admin:
    return Admin(gateway)


@pytest.fixture
def bound(policy: str, demo: Connection, gw_admin: Admin,
          shared_zone: dict[str, str]) -> Iterator[str]:
    """The first user's project, bound to Pod1 in az1; its volumes made
    in the test are deleted afterwards."""
    project_id = demo.current_project_id
    gw_admin.rebind(project_id, shared_zone['Pod1'])
    yield project_id
    for volume in demo.block_storage.get('/volumes').json()['volumes']:
        if volume['name'].startswith(f'gw-{ZONE}-'):
            delete_volume(demo, volume['id'])


@pytest.fixture(scope='module')
def pod1_admin(gateway: GatewayProcess) -> Connection:
    """openstacksdk as the admin straight to Pod1, past the gateway."""
    cloud = gateway.cloud
    return Connection(session=cloud.session(cloud.admin),
                      region_name='Pod1')


def moved_to_pod2(gw_admin: Admin, project_id: str,
                  pods: dict[str, str]) -> bool:
    return gw_admin.bindings(project_id) == [(pods['Pod1'], False),
                                             (pods['Pod2'], True)]


def test_a_project_stays_in_its_bound_pod(demo, gw_admin, bound,
                                          shared_zone):
    volume = make_volume(demo, ZONE)

    assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone['Pod1']
    assert gw_admin.bindings(bound) == [(shared_zone['Pod1'], True)]


def test_bound_pod_down_moves_the_binding(gateway, demo, gw_admin, bound,
                                          shared_zone):
    held = make_volume(demo, ZONE)
    proxy = gateway.cloud.pods[0].proxy
    proxy.refuse()
    try:
        # the first call finds the pod gone (503, on a kept-alive
        # connection the pod may have read: no retry elsewhere)
        assert demo.block_storage.get(f"/volumes/{held['id']}",
                                      raise_exc=False).status_code == 503
        volume = make_volume(demo, ZONE)
    finally:
        proxy.clear()
        wait_for(lambda: demo.block_storage.get(
            f"/volumes/{held['id']}", raise_exc=False).status_code == 200,
            'Pod1 reachable again')

    assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone['Pod2']
    assert moved_to_pod2(gw_admin, bound, shared_zone)


def test_bound_pod_disabled_moves_the_binding_and_its_resources_are_503(
        demo, gw_admin, bound, shared_zone):
    held = make_volume(demo, ZONE)
    gw_admin.update_pod(shared_zone['Pod1'], enabled=False)
    try:
        reply = demo.block_storage.get(f"/volumes/{held['id']}",
                                       raise_exc=False)
        volume = make_volume(demo, ZONE)
    finally:
        gw_admin.update_pod(shared_zone['Pod1'], enabled=True)

    assert reply.status_code == 503
    assert 'Pod Pod1 is unavailable.' in reply.text
    assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone['Pod2']
    assert moved_to_pod2(gw_admin, bound, shared_zone)


def test_draining_pod_moves_the_binding_and_keeps_serving(
        gateway, demo, gw_admin, bound, shared_zone):
    held = make_volume(demo, ZONE)
    gateway.manage('pod', 'drain', 'Pod1')
    try:
        volume = make_volume(demo, ZONE)
        kept = demo.block_storage.get(f"/volumes/{held['id']}",
                                      raise_exc=False)
        shown = gw_admin.pod(shared_zone['Pod1'])
    finally:
        gateway.manage('pod', 'undrain', 'Pod1')

    assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone['Pod2']
    assert moved_to_pod2(gw_admin, bound, shared_zone)
    assert kept.status_code == 200
    assert shown['draining'] is True
    assert shown['holdings'][bound]['volume'] >= 1


def test_pod_over_volume_quota_moves_the_binding(demo, gw_admin, bound,
                                                 shared_zone, pod1_admin):
    quota = f'/os-quota-sets/{bound}'
    pod1_admin.block_storage.put(quota, json={'quota_set': {'volumes': 0}})
    try:
        volume = make_volume(demo, ZONE)
    finally:
        pod1_admin.block_storage.delete(quota)

    assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone['Pod2']
    assert moved_to_pod2(gw_admin, bound, shared_zone)


def test_pod_over_server_quota_moves_the_binding(demo, admin, gw_admin,
                                                 bound, shared_zone,
                                                 pod1_admin):
    quota = f'/os-quota-sets/{bound}'
    pod1_admin.compute.put(quota, json={'quota_set': {'instances': 0}})
    try:
        server = boot(demo, ZONE)
    finally:
        pod1_admin.compute.delete(quota)
    try:
        assert gw_admin.pod_of(server.id, 'server') == shared_zone['Pod2']
        assert moved_to_pod2(gw_admin, bound, shared_zone)
    finally:
        admin.compute.delete_server(server.id)


def _create(conn: Connection, hints: dict[str, Any]) -> Any:
    return conn.block_storage.post('/volumes', json={
        'volume': {'size': 1, 'availability_zone': ZONE,
                   'name': f'gw-{ZONE}-{uuid.uuid4().hex[:8]}'},
        'OS-SCH-HNT:scheduler_hints': hints}, raise_exc=False)


def test_hints_name_the_pod_of_one_resource(demo, admin, gw_admin, bound,
                                            shared_zone):
    refused = _create(demo, {'trio2o:pod': 'Pod2'})
    placed = _create(admin, {'trio2o:pod': 'Pod2'})
    assert placed.status_code == 202, placed.text
    placed_id = placed.json()['volume']['id']
    try:
        mine = make_volume(demo, ZONE)
        beside = _create(demo, {'trio2o:same_pod_as': mine['id']})
        assert beside.status_code == 202, beside.text

        assert refused.status_code == 403
        assert 'Only administrators may use the trio2o:pod' in refused.text
        assert gw_admin.pod_of(placed_id, 'volume') == shared_zone['Pod2']
        assert gw_admin.pod_of(beside.json()['volume']['id'],
                               'volume') == shared_zone['Pod1']
        # a pinned pod is no binding's: the project stays in Pod1
        assert gw_admin.bindings(bound) == [(shared_zone['Pod1'], True)]
    finally:
        delete_volume(admin, placed_id)


def test_a_server_joins_a_volume_s_pod_unless_its_group_is_elsewhere(
        demo, admin, gw_admin, bound, shared_zone):
    made = demo.compute.post('/os-server-groups', json={'server_group': {
        'name': f'g-{uuid.uuid4().hex[:8]}', 'policies': ['affinity']}})
    group = made.json()['server_group']
    try:
        group_pod = gw_admin.pod_of(group['id'], 'server_group')
        [other] = [pod for pod in shared_zone.values() if pod != group_pod]
        gw_admin.rebind(bound, other)
        volume = make_volume(demo, ZONE)

        clash = demo.compute.post('/servers', raise_exc=False, json={
            'server': {'name': 'clash', 'imageRef': IMAGE_ID,
                       'flavorRef': FLAVOR_ID, 'networks': 'none',
                       'availability_zone': ZONE},
            'os:scheduler_hints': {'group': group['id'],
                                   'trio2o:same_pod_as': volume['id']}},
            microversion='2.37')
        server = boot(demo, ZONE, scheduler_hints={
            'trio2o:same_pod_as': volume['id']})
        try:
            assert clash.status_code == 400, clash.text
            assert 'The scheduler hints name pod' in clash.text
            assert gw_admin.pod_of(server.id, 'server') == other
        finally:
            admin.compute.delete_server(server.id)
    finally:
        demo.compute.delete(f"/os-server-groups/{group['id']}",
                            raise_exc=False)


def forget_bindings(gw_admin: Admin, project_id: str) -> None:
    for binding in gw_admin.session.get(gw_admin.url + '/bindings', params={
            'project_id': project_id, 'az_name': ZONE}).json()['bindings']:
        gw_admin.session.delete(f"{gw_admin.url}/bindings/{binding['id']}")


@pytest.fixture
def types_in_one_pod(gateway: GatewayProcess) -> Iterator[dict[str, str]]:
    """A public volume type made straight in each pod, by pod name."""
    cloud = gateway.cloud
    made = {}
    for region in ('Pod1', 'Pod2'):
        pod = Connection(session=cloud.session(cloud.admin),
                         region_name=region)
        name = f'only-{region}-{uuid.uuid4().hex[:6]}'
        kind = pod.block_storage.post('/types', json={
            'volume_type': {'name': name}}).json()['volume_type']
        made[region] = (pod, kind)
    yield {region: kind['name'] for region, (_, kind) in made.items()}
    for pod, kind in made.values():
        pod.block_storage.delete(f"/types/{kind['id']}", raise_exc=False)


def test_a_binding_is_made_only_in_a_pod_with_the_type_or_flavor(
        policy, alt, gw_admin, shared_zone, types_in_one_pod):
    project_id = alt.current_project_id
    placed = {}
    try:
        for region, name in types_in_one_pod.items():
            forget_bindings(gw_admin, project_id)
            volume = make_volume(alt, ZONE, volume_type=name)
            placed[region] = volume['id']
            assert gw_admin.pod_of(volume['id'], 'volume') == shared_zone[
                region]
            assert gw_admin.bindings(project_id) == [(shared_zone[region],
                                                      True)]
        forget_bindings(gw_admin, project_id)
        nowhere = alt.block_storage.post('/volumes', raise_exc=False, json={
            'volume': {'size': 1, 'availability_zone': ZONE,
                       'volume_type': 'no-such-type'}})
        assert nowhere.status_code == 404, nowhere.text
        assert nowhere.json() == {'itemNotFound': {
            'code': 404, 'message': 'Volume type with name no-such-type '
                                    'could not be found.'}}
        assert gw_admin.bindings(project_id) == []
        unknown = alt.compute.post('/servers', raise_exc=False, json={
            'server': {'name': 'nowhere', 'imageRef': IMAGE_ID,
                       'flavorRef': 'no-such-flavor', 'networks': 'none',
                       'availability_zone': ZONE}}, microversion='2.37')
        assert unknown.status_code == 400, unknown.text
        assert unknown.json()['badRequest']['message'] == (
            'Flavor no-such-flavor could not be found.')
        assert gw_admin.bindings(project_id) == []
    finally:
        for volume_id in placed.values():
            delete_volume(alt, volume_id)
