"""The Cinder driver's reconciler hook: a pod's volumes read through the
test kit's fake pods, and the core's settling of ``volume`` and
``volume_request`` rows from what it reads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from trio2o_core import reconcile_plan
from trio2o_core.db.models import ResourceRouting
from trio2o_core.plugin import PodInventory
from trio2o_core.plugin import PodUnreadable
from trio2o_core.plugin import ResourceState
from trio2o_core.reconcile_report import Action
from trio2o_core.reconcile_report import Change
from trio2o_core.testing.fake_pods import PodRequest
from trio2o_core.testing.fake_pods import pod_response
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder import settle
from trio2o_plugins.cinder.service import CinderService

NOW = datetime.datetime(2026, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)
ROW_TIME = NOW - datetime.timedelta(hours=1)
PROJECT = 'p1'


def volume(volume_id: str, *, project: str = PROJECT,
           status: str = 'available',
           created: datetime.datetime = ROW_TIME) -> dict[str, Any]:
    return {'id': volume_id, 'status': status,
            'os-vol-tenant-attr:tenant_id': project,
            'created_at': created.replace(tzinfo=None).isoformat(
                timespec='microseconds')}


class CinderPod:
    """A pod's Cinder: ``/volumes/detail`` of every project paged by
    ``limit`` and ``marker`` (with Cinder's next link), ``/volumes/<id>``
    with Cinder's 404."""

    def __init__(self, volumes: list[dict[str, Any]]) -> None:
        self.volumes = volumes
        self.paths: list[str] = []

    def __call__(self, call: PodRequest) -> Any:
        self.paths.append(call.path)
        if call.path == '/volumes/detail':
            assert call.query['all_tenants'] == '1'
            ids = [v['id'] for v in self.volumes]
            start = (ids.index(call.query['marker']) + 1
                     if 'marker' in call.query else 0)
            limit = int(call.query['limit'])
            page = self.volumes[start:start + limit]
            body: dict[str, Any] = {'volumes': page}
            if start + limit < len(self.volumes):
                body['volumes_links'] = [{'rel': 'next', 'href': 'x'}]
            return pod_response(200, body)
        volume_id = call.path.removeprefix('/volumes/')
        for record in self.volumes:
            if record['id'] == volume_id:
                return pod_response(200, {'volume': record})
        return pod_response(404, {'itemNotFound': {
            'code': 404,
            'message': f'Volume {volume_id} could not be found.'}})


def inventory(volumes: list[dict[str, Any]]
              ) -> tuple[PodInventory, CinderPod, FakeGateway]:
    gateway = FakeGateway(pods=1)
    pod = CinderPod(volumes)
    gateway.serve(gateway.pod(1), pod)
    reconciler = CinderService(gateway).reconcilers()[0]
    return (reconciler.inventory(gateway.pod(1), gateway.reader(
        gateway.pod(1), reconciler.catalog_service)), pod, gateway)


def row(top_id: str, status: str, resource_type: str = 'volume',
        created: datetime.datetime = ROW_TIME) -> ResourceRouting:
    return ResourceRouting(id=hash(top_id) % 1000, top_id=top_id,
                           resource_type=resource_type, bottom_id=top_id,
                           pod_id='pod-1', project_id=PROJECT,
                           status=status, created_at=created,
                           updated_at=created)


def test_the_driver_settles_volumes_snapshots_and_backups():
    reconcilers = CinderService(FakeGateway(pods=0)).reconcilers()
    assert isinstance(reconcilers[0], settle.VolumeReconciler)
    assert [(r.resource_type, r.catalog_service) for r in reconcilers] == [
        ('volume', 'block_storage'), ('snapshot', 'block_storage'),
        ('backup', 'block_storage')]


def test_states_of_listed_shown_and_unknown_volumes():
    listed = [volume('v-ok'), volume('v-del', status='deleting'),
              volume('v-err', status='error_deleting')]
    pods, pod, _ = inventory(listed)
    assert pods.state('v-ok') is ResourceState.PRESENT
    assert pods.state('v-del') is ResourceState.DELETING
    assert pods.state('v-err') is ResourceState.PRESENT
    assert pods.state('v-gone') is ResourceState.GONE
    # listed once; the unlisted one shown by id
    assert pod.paths == ['/volumes/detail', '/volumes/v-gone']


def test_a_volume_shown_but_not_listed_is_present():
    pods, pod, _ = inventory([])
    pod.volumes.append(volume('v-late'))
    pods.state('v-other')  # lists the (empty) pod once
    assert pods.state('v-late') is ResourceState.PRESENT


def test_volumes_are_listed_page_by_page(monkeypatch):
    monkeypatch.setattr(settle.PodVolumes, 'page_size', 2)
    pods, pod, _ = inventory([volume(f'v{i}') for i in range(5)])
    made = pods.made(PROJECT, ROW_TIME, NOW)
    assert sorted(made) == [f'v{i}' for i in range(5)]
    assert pod.paths.count('/volumes/detail') == 3


def test_made_is_the_project_s_volumes_of_the_window_to_the_second():
    late = ROW_TIME + datetime.timedelta(minutes=5)
    pods, _, _ = inventory([
        volume('same-second', created=ROW_TIME.replace(microsecond=0)),
        volume('in', created=late),
        volume('other-project', project='p2', created=late),
        volume('before', created=ROW_TIME - datetime.timedelta(seconds=1)),
        volume('at-until', created=NOW),
    ])
    assert sorted(pods.made(PROJECT, ROW_TIME.replace(microsecond=500),
                            NOW)) == ['in', 'same-second']


@pytest.mark.parametrize('answer', [
    pod_response(500, {'computeFault': {}}), pod_response(200, {'x': 1}),
    pod_response(403, {'forbidden': {'code': 403, 'message': 'no'}})])
def test_an_answer_without_volumes_leaves_the_pod_unread(answer):
    pods, _, gateway = inventory([])
    gateway.script(gateway.pod(1), 'GET', '/volumes/detail', answer)
    with pytest.raises(PodUnreadable):
        pods.state('v1')


def test_an_unreachable_pod_is_unread():
    pods, _, gateway = inventory([])
    gateway.unreachable.add('pod-1')
    with pytest.raises(PodUnreadable):
        pods.made(PROJECT, ROW_TIME, NOW)


def test_rows_are_settled_like_servers():
    late = ROW_TIME + datetime.timedelta(minutes=1)
    pods, _, _ = inventory([
        volume('made'), volume('deleting', status='deleting'),
        volume('restored'), volume('adopt', created=late),
        volume('routed', created=late),
    ])
    rows = [row('made', 'creating'), row('never', 'creating'),
            row('deleting', 'deleting'), row('deleted', 'deleting'),
            row('restored', 'deleting'),
            row('req-1', 'creating', 'volume_request')]
    routed = {'made', 'never', 'deleting', 'deleted', 'restored', 'routed'}

    changes = reconcile_plan.plan('volume', rows, pods, routed, NOW, 0.0)

    assert [(c.action, c.top_id) for c in changes] == [
        (Action.ACTIVATED, 'made'),
        (Action.REMOVED_CREATING, 'never'),
        (Action.REMOVED_DELETED, 'deleted'),
        (Action.RESTORED, 'restored'),
        (Action.ADOPTED, 'adopt'),
        (Action.REMOVED_REQUEST, 'req-1'),
    ]
    assert Change(Action.ADOPTED, 'volume', 'adopt', PROJECT) in changes
    assert 'adopt' in routed


class Listed:
    """A pod listing one collection of every project, in one page; the
    ``project_id`` filter (for backups) selects a project's records by
    their hidden ``_project``."""

    def __init__(self, collection: str,
                 records: list[dict[str, Any]]) -> None:
        self.collection = collection
        self.records = records
        self.queries: list[dict[str, str]] = []

    def __call__(self, call: PodRequest) -> Any:
        assert call.path == f'/{self.collection}/detail'
        assert call.query['all_tenants'] == '1'
        self.queries.append(dict(call.query))
        project = call.query.get('project_id')
        page = [{k: v for k, v in r.items() if k != '_project'}
                for r in self.records
                if project is None or r['_project'] == project]
        return pod_response(200, {self.collection: page})


def settled_by(resource_type: str, pod: Listed
               ) -> PodInventory:
    gateway = FakeGateway(pods=1)
    gateway.serve(gateway.pod(1), pod)
    [reconciler] = [r for r in CinderService(gateway).reconcilers()
                    if r.resource_type == resource_type]
    return reconciler.inventory(gateway.pod(1), gateway.reader(
        gateway.pod(1), reconciler.catalog_service))


def test_snapshots_made_are_the_project_s_by_their_attribute():
    late = ROW_TIME + datetime.timedelta(minutes=5)

    def snapshot(snapshot_id: str, project: str,
                 status: str = 'available') -> dict[str, Any]:
        return {'id': snapshot_id, 'status': status, '_project': project,
                'os-extended-snapshot-attributes:project_id': project,
                'created_at': late.replace(tzinfo=None).isoformat()}
    pod = Listed('snapshots', [snapshot('s1', PROJECT),
                               snapshot('s2', 'p2'),
                               snapshot('s3', PROJECT, 'deleting')])
    pods = settled_by('snapshot', pod)
    assert sorted(pods.made(PROJECT, ROW_TIME, NOW)) == ['s1', 's3']
    assert pods.state('s3') is ResourceState.DELETING
    assert all('project_id' not in query for query in pod.queries)


def test_backups_made_are_listed_with_the_project_filter():
    # before 3.18 a backup does not show its project
    late = ROW_TIME + datetime.timedelta(minutes=5)
    pod = Listed('backups', [
        {'id': f'b-{project}', 'status': 'available', '_project': project,
         'created_at': late.replace(tzinfo=None).isoformat()}
        for project in (PROJECT, 'p2')])
    pods = settled_by('backup', pod)
    assert pods.made(PROJECT, ROW_TIME, NOW) == [f'b-{PROJECT}']
    assert pod.queries[-1]['project_id'] == PROJECT
    assert pods.state('b-p2') is ResourceState.PRESENT
