"""Pods: CRUD, unique names, deletion refused while routed."""

import datetime

import pytest

from trio2o_core.db import api
from trio2o_core.db import exceptions
from trio2o_core.db import pods


def test_create_get_list_update(db: str) -> None:
    pod = api.create_pod('Pod2', 'az2', pod_az_name='nova', dc_name='dc1')
    api.create_pod('Pod1', 'az1', enabled=False)

    got = api.get_pod(pod.id)
    assert (got.name, got.az_name, got.pod_az_name, got.dc_name,
            got.enabled) == ('Pod2', 'az2', 'nova', 'dc1', True)
    assert got.created_at.tzinfo == datetime.UTC
    assert got.updated_at is None
    assert api.get_pod_by_name('Pod2').id == pod.id
    assert [p.name for p in api.list_pods()] == ['Pod1', 'Pod2']
    assert [p.name for p in api.list_pods(enabled=True)] == ['Pod2']
    assert [p.name for p in api.list_pods(az_name='az1')] == ['Pod1']
    # the request path's records: every column but the timestamps
    assert vars(api.list_pods(timestamps=False)[1]) == {
        key: value for key, value in vars(api.list_pods()[1]).items()
        if key not in ('created_at', 'updated_at')}
    assert api.list_pods()[1].created_at.tzinfo == datetime.UTC

    updated = api.update_pod(pod.id, enabled=False, dc_name=None)
    assert (updated.enabled, updated.dc_name) == (False, None)
    assert updated.updated_at is not None
    assert api.get_pod(pod.id).as_dict() == updated.as_dict()


def test_timestamps_are_utc(db: str) -> None:
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    pod = api.create_pod('Pod1', 'az1')
    created = api.get_pod(pod.id).created_at
    after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        seconds=1)
    assert before <= created <= after


def test_duplicate_name_refused(db: str) -> None:
    api.create_pod('Pod1', 'az1')
    with pytest.raises(exceptions.Duplicate) as caught:
        api.create_pod('Pod1', 'az2')
    assert caught.value.columns == ('name',)
    assert [p.az_name for p in api.list_pods()] == ['az1']


def test_rename_to_taken_name_refused(db: str) -> None:
    api.create_pod('Pod1', 'az1')
    pod = api.create_pod('Pod2', 'az1')
    with pytest.raises(exceptions.Duplicate) as caught:
        api.update_pod(pod.id, name='Pod1')
    assert caught.value.field == 'name'
    assert api.get_pod(pod.id).name == 'Pod2'


def test_duplicate_id_refused(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    with pytest.raises(exceptions.Duplicate) as caught:
        api.create_pod('Pod2', 'az1', pod_id=pod.id)
    assert caught.value.columns == ('id',)


def test_missing_pod(db: str) -> None:
    with pytest.raises(exceptions.NotFound):
        api.get_pod('no-such-pod')
    with pytest.raises(exceptions.NotFound):
        api.get_pod_by_name('Nowhere')
    with pytest.raises(exceptions.NotFound):
        api.update_pod('no-such-pod', enabled=False)
    with pytest.raises(exceptions.NotFound):
        api.delete_pod('no-such-pod')


@pytest.mark.parametrize('fields', [
    {'name': 'x' * 256}, {'name': None}, {'enabled': 'yes'},
    {'no_such_field': 1}, {'weight': -1}, {'weight': True},
])
def test_invalid_update_refused_alike_on_every_backend(
        db: str, fields: dict[str, object]) -> None:
    pod = api.create_pod('Pod1', 'az1')
    with pytest.raises(exceptions.InvalidValue):
        api.update_pod(pod.id, **fields)  # type: ignore[arg-type]
    assert api.get_pod(pod.id).as_dict() == pod.as_dict()


def test_delete_refused_while_routed(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    for n in range(3):
        api.create_routing(f'server-{n}', 'server', pod.id, 'project')

    with pytest.raises(exceptions.PodInUse) as caught:
        api.delete_pod(pod.id)
    assert (caught.value.pod_id, caught.value.count) == (pod.id, 3)
    assert api.get_pod(pod.id)

    for routing in api.list_routings(pod_id=pod.id):
        api.delete_routing(routing.id)
    api.delete_pod(pod.id)
    with pytest.raises(exceptions.NotFound):
        api.get_pod(pod.id)


def test_forced_delete_removes_every_routing_and_binding(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    other = api.create_pod('Pod2', 'az1')
    for n, status in enumerate(('creating', 'active', 'deleted')):
        api.create_routing(f'vm-{n}', 'server', pod.id, 'p1', status=status)
    kept = api.create_routing('vm-9', 'server', other.id, 'p1')
    api.create_binding('p1', 'az1', pod.id)

    assert api.delete_pod(pod.id, force=True) == 3

    assert [r.id for r in api.list_routings()] == [kept.id]
    assert api.list_bindings() == []
    with pytest.raises(exceptions.NotFound):
        api.get_pod(pod.id)


def test_holdings_count_live_routings_per_project_and_type(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    for top_id, kind, project, status in (
            ('s1', 'server', 'p1', 'active'), ('s2', 'server', 'p1',
                                               'deleting'),
            ('v1', 'volume', 'p1', 'creating'), ('v2', 'volume', 'p2',
                                                 'active'),
            ('v3', 'volume', 'p2', 'deleted')):
        api.create_routing(top_id, kind, pod.id, project, status=status)

    assert api.pod_holdings(pod.id) == {'p1': {'server': 2, 'volume': 1},
                                        'p2': {'volume': 1}}
    assert api.count_routings_per_pod() == {pod.id: 4}
    assert api.pod_holdings('no-such-pod') == {}


def test_delete_removes_bindings(db: str) -> None:
    pod = api.create_pod('Pod1', 'az1')
    other = api.create_pod('Pod2', 'az1')
    api.create_binding('project', 'az1', pod.id)
    kept = api.create_binding('other', 'az1', other.id)

    api.delete_pod(pod.id)

    assert [b.id for b in api.list_bindings()] == [kept.id]


def test_delete_refused_by_database_when_count_raced(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A routing written between the count and the delete still wins."""
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('vm-1', 'server', pod.id, 'project')
    counts = iter([0, 1])
    monkeypatch.setattr(pods, '_count_routings',
                        lambda session, pod_id: next(counts))

    with pytest.raises(exceptions.PodInUse) as caught:
        api.delete_pod(pod.id)
    assert caught.value.count == 1
    assert api.get_pod(pod.id)


def test_identity_mode(db: str) -> None:
    shared = api.create_pod('Pod1', 'az1')
    assert (shared.identity, shared.service_provider) == ('shared', None)
    fed = api.create_pod('Pod2', 'az2', identity='k2k',
                         service_provider='pod2-sp')
    assert (api.get_pod(fed.id).identity,
            api.get_pod(fed.id).service_provider) == ('k2k', 'pod2-sp')
    with pytest.raises(exceptions.InvalidValue, match='service_provider'):
        api.create_pod('Pod3', 'az3', identity='k2k')
    with pytest.raises(exceptions.InvalidValue, match='identity'):
        api.create_pod('Pod3', 'az3', identity='saml')
    # a shared pod becomes k2k only with a service provider
    with pytest.raises(exceptions.InvalidValue, match='service_provider'):
        api.update_pod(shared.id, identity='k2k')
    assert api.get_pod(shared.id).identity == 'shared'
    api.update_pod(shared.id, identity='k2k', service_provider='pod1-sp')
    assert api.get_pod(shared.id).identity == 'k2k'
    with pytest.raises(exceptions.InvalidValue, match='service_provider'):
        api.update_pod(shared.id, service_provider=None)
    api.update_pod(shared.id, identity='shared')
    assert api.get_pod(shared.id).service_provider == 'pod1-sp'
