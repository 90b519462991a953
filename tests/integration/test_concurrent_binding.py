"""First creates racing on PostgreSQL, under each built-in policy:
``trio2o-api`` with 4 forked workers (noauth) in front of four stateful
fake Nova pods (Pod1 and Pod2 serve az1, Pod3 and Pod4 az2).

For each policy, on a new database: 96 creates, 48 at a time, of 12
projects in both zones (4 per project and zone), none bound before, so
every (project, zone) sees its first creates race in several workers.
Every create answers 202; each (project, zone) ends with exactly one
binding, active, and no binding made and then moved; every server is in
its binding's pod and routed there once.
"""

from __future__ import annotations

import collections
import concurrent.futures
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.functional.db import conftest as db_conftest
from tests.integration.test_concurrency import PODS
from tests.integration.test_concurrency import ZONES
from tests.integration.test_concurrency import Gateway
from tests.integration.test_concurrency import create
from tests.integration.test_concurrency import pod_servers
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.testing.nova_pods import NovaPods

PROJECTS = 12
PER_ZONE = 4
PARALLEL = 48
#: seconds a pod takes to answer a create, so creates overlap
CREATE_DELAY = 0.1
POLICIES = ('binding', 'least-loaded', 'weighted')


@pytest.fixture(scope='module')
def pods() -> Iterator[NovaPods]:
    with NovaPods(list(PODS), [zone for _, zone in PODS.values()],
                  create_delay=CREATE_DELAY) as running:
        yield running


@pytest.fixture(params=POLICIES)
def policy_gateway(request: pytest.FixtureRequest, pods: NovaPods,
                   tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[str, Gateway]]:
    """A gateway of the policy on a new PostgreSQL database, the pods
    emptied first; ``least-loaded`` counts routed resources (the fake
    pods report no hypervisors)."""
    policy = request.param
    for index, name in enumerate(PODS):
        for server in pods.servers(name):
            requests.delete(f'{pods.urls[index]}/v2.1/servers/'
                            f'{server["id"]}', timeout=10)
    name = f'trio2o_binding_{uuid.uuid4().hex[:8]}'
    for url in db_conftest._postgresql_database(name):
        started = Gateway(
            tmp_path_factory.mktemp(f'binding-{policy}'), url, pods,
            extra_conf=f'[scheduler]\npolicy = {policy}\n'
                       'capacity_source = routings\n')
        CONF.set_override('connection', url, group='database')
        db.reset_engine()
        try:
            yield policy, started
        finally:
            started.process.stop()
            db.reset_engine()
            CONF.clear_override('connection', group='database')


def test_first_creates_bind_one_pod_per_project_and_zone(
        policy_gateway: tuple[str, Gateway], pods: NovaPods) -> None:
    policy, gateway = policy_gateway
    projects = [uuid.uuid4().hex for _ in range(PROJECTS)]
    jobs = [(project, zone, f'{policy}-{project[-4:]}-{zone}-{n}')
            for n in range(PER_ZONE) for project in projects
            for zone in ZONES]

    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(lambda job: create(gateway.url, *job),
                                jobs))

    assert [a for a in answers if a[1] != 202] == []
    names = {pod.id: pod.name for pod in db.list_pods()}
    bindings = db.list_bindings()
    assert [b for b in bindings if not b.is_active] == [], 'moved'
    bound = collections.defaultdict(list)
    for binding in bindings:
        bound[(binding.project_id, binding.az_name)].append(
            names[binding.pod_id])
    assert sorted(bound) == sorted((p, z) for p in projects for z in ZONES)
    assert {key: pods_ for key, pods_ in bound.items()
            if len(pods_) != 1} == {}
    held = pod_servers(pods)
    assert len(held) == len(jobs)
    routed = collections.Counter(
        (row.top_id, names[row.pod_id])
        for row in db.list_routings(resource_type='server'))
    for server_id, (pod, server) in held.items():
        assert PODS[pod][0] in ZONES
        assert bound[(server['tenant_id'], PODS[pod][0])] == [pod], (
            f'{server_id} of {server["tenant_id"]} outside its binding')
        assert routed[(server_id, pod)] == 1
    # both pods of each zone took projects: the policy chose, not a lock
    assert {pod for pods_ in bound.values() for pod in pods_} == set(PODS)
