"""The reconciler reads a k2k pod as the service user with a token of
the pod's own Keystone (exchanged Keystone to Keystone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests_mock
import sqlalchemy as sa
from keystoneauth1 import fixture as ks_fixture

from tests.unit.core.test_federation import SP_AUTH
from tests.unit.core.test_federation import SP_ECP
from tests.unit.core.test_federation import SP_V3
from tests.unit.core.test_reconcile import KEYSTONE
from tests.unit.core.test_reconcile import OLD
from tests.unit.core.test_reconcile import POD_URLS
from tests.unit.core.test_reconcile import SERVER_REQUEST
from tests.unit.core.test_reconcile import actions
from tests.unit.core.test_reconcile import pods  # noqa: F401
from tests.unit.core.test_reconcile import row
from tests.unit.core.test_reconcile import run
from tests.unit.core.test_reconcile import service_conf  # noqa: F401
from tests.unit.core.test_reconcile import status
from trio2o_core.db import api as db
from trio2o_core.db.models import ResourceRouting
from trio2o_core.reconcile_report import Action


@pytest.fixture
def mocker() -> Iterator[requests_mock.Mocker]:
    """The gateway's Keystone (IdP of Pod2's) and Pod2's Keystone, whose
    catalog alone names Pod2's compute endpoint."""
    token = ks_fixture.V3Token(user_id='trio2o', project_id='service',
                               project_name='service')
    token.add_service('compute').add_endpoint('public', POD_URLS['Pod1'],
                                              region='Pod1')
    token.add_service_provider('pod2-sp', SP_AUTH, SP_ECP)
    pod_token = ks_fixture.V3Token(project_id='pod2-service')
    pod_token.add_service('compute').add_endpoint(
        'public', POD_URLS['Pod2'], region='RegionOne')
    with requests_mock.Mocker(case_sensitive=True) as mock:
        mock.get(KEYSTONE, json={'version': ks_fixture.V3Discovery(
            KEYSTONE)})
        mock.post(KEYSTONE + '/auth/tokens', json=token, status_code=201,
                  headers={'X-Subject-Token': 'service-token'})
        mock.post(KEYSTONE + '/auth/OS-FEDERATION/saml2/ecp',
                  text='<soap:Envelope/>')
        mock.post(SP_ECP, status_code=302)
        mock.get(SP_AUTH, status_code=201, json=ks_fixture.V3Token(),
                 headers={'X-Subject-Token': 'unscoped'})
        mock.get(SP_V3 + '/auth/projects', json={'projects': [
            {'id': 'pod2-service', 'name': 'service', 'enabled': True}]})
        mock.post(SP_V3 + '/auth/tokens', json=pod_token, status_code=201,
                  headers={'X-Subject-Token': 'pod2-service-token'})
        yield mock


def test_k2k_pod_is_read_with_the_pod_s_token(pods, mocker):  # noqa: F811
    pod_id, pod = pods['Pod2']
    db.update_pod(pod_id, identity='k2k', service_provider='pod2-sp')
    server = pod.add()
    routing = row(pod_id, server, 'creating')

    summary = run()

    assert actions(summary, 'Pod2') == [(Action.ACTIVATED, server)]
    assert status(routing) == 'active'
    to_pod = [r for r in mocker.request_history
              if r.url.startswith(POD_URLS['Pod2'])]
    assert to_pod and {r.headers['X-Auth-Token'] for r in to_pod} == {
        'pod2-service-token'}


def test_k2k_pod_refusing_is_skipped(pods, mocker):  # noqa: F811
    pod_id, pod = pods['Pod2']
    db.update_pod(pod_id, identity='k2k', service_provider='pod2-sp')
    mocker.post(SP_ECP, status_code=401)
    routing = row(pod_id, pod.add(), 'creating')

    summary = run()

    assert 'answered 401' in summary.pods['Pod2'].skipped
    assert status(routing) == 'creating'


def test_a_k2k_pod_s_orphan_is_adopted_from_the_pod_side_project(
        pods, mocker):  # noqa: F811
    pod_id, pod = pods['Pod2']
    db.update_pod(pod_id, identity='k2k', service_provider='pod2-sp')
    request = row(pod_id, 'request-1', 'creating', project='top-project',
                  resource_type=SERVER_REQUEST)
    table = ResourceRouting.__table__
    with db.session_scope() as session:
        session.execute(sa.update(table).where(table.c.id == request).values(
            pod_project_id='pod2-demo', updated_at=None))
    server = pod.add(project='pod2-demo', age=OLD - 1)
    # a server of a pod project named like the top one is not the row's
    pod.add(project='top-project', age=OLD - 1)

    summary = run()

    adopted = [top_id for action, top_id in actions(summary, 'Pod2')
               if action is Action.ADOPTED]
    assert adopted == [server]
    routing = db.get_routing_by_top_id(server, 'server')
    assert (routing.project_id, routing.pod_project_id) == (
        'top-project', 'pod2-demo')
    assert status(request) is None
