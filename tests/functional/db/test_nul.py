"""A NUL character in an id, a filter or a value, on every backend:
lookups find nothing and writes are refused, never a driver error
(PostgreSQL refuses NUL even as a query parameter)."""

import pytest

from trio2o_core.db import api
from trio2o_core.db import exceptions
from trio2o_core.db import models

NUL = 'vm\x00-1'


@pytest.fixture
def pod(db: str) -> models.Pod:
    pod = api.create_pod('Pod1', 'az1')
    api.create_routing('vm-1', 'server', pod.id, 'p1')
    api.create_binding('p1', 'az1', pod.id)
    return pod


@pytest.mark.parametrize('lookup', [
    lambda: api.get_pod(NUL),
    lambda: api.get_pod_by_name(NUL),
    lambda: api.get_binding(NUL),
    lambda: api.get_routing_by_top_id(NUL, 'server'),
    lambda: api.get_routing_by_top_id('vm-1', NUL),
    lambda: api.update_pod(NUL, name='x'),
    lambda: api.delete_pod(NUL),
    lambda: api.delete_binding(NUL),
])
def test_lookups_find_nothing(pod, lookup):
    with pytest.raises(exceptions.NotFound):
        lookup()


def test_filters_match_nothing(pod):
    assert api.list_pods(az_name=NUL) == []
    assert api.list_bindings(project_id=NUL) == []
    assert api.list_bindings(pod_id=NUL) == []
    assert api.get_active_binding(NUL, 'az1') is None
    assert api.list_routings(project_id=NUL) == []
    assert api.list_routings(resource_type=NUL, limit=5) == []
    assert api.list_routings_by_project(NUL) == []
    assert api.count_routings_by_pod(NUL) == 0
    assert len(api.list_routings(project_id='p1')) == 1


@pytest.mark.parametrize('write', [
    lambda pod: api.create_pod(NUL, 'az1'),
    lambda pod: api.update_pod(pod.id, dc_name=NUL),
    lambda pod: api.create_binding(NUL, 'az1', pod.id),
    lambda pod: api.create_routing(NUL, 'server', pod.id, 'p1'),
])
def test_writes_are_refused(pod, write):
    with pytest.raises(exceptions.InvalidValue, match='NUL'):
        write(pod)
    assert len(api.list_pods()) == 1
    assert len(api.list_routings()) == 1
