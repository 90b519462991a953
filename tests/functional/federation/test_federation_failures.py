"""A federated pod's identity going wrong: the service provider's front
refusing bad assertions, the gateway's answers when the exchange fails,
a revoked token, the pod's Keystone down; and the reconciler reading the
pod as the service user."""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.functional.federation.conftest import TOKEN_CACHE_TIME
from tests.functional.federation.conftest import gateway_get
from tests.functional.federation.conftest import token
from tests.functional.nova.conftest import Connection
from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import gateway_db  # noqa: F401
from tests.functional.nova.conftest import wait_for
from trio2o_core.db import api as db
from trio2o_core.plugin.podcall import PARTIAL_HEADER
from trio2o_core.testing.cloud import Pod
from trio2o_core.testing.federation import ECP_PATH
from trio2o_core.testing.federation import IDP_ID
from trio2o_core.testing.federation import PROTOCOL
from trio2o_core.testing.keystone import Credentials

OUTSIDER = Credentials('outsider', 'outsider', 'outsiders')
#: servers without a network need 2.37
MICROVERSION = {'OpenStack-API-Version': 'compute 2.37'}


@pytest.fixture(scope='module')
def servers(demo: Connection, admin: Connection) -> Iterator[list[Any]]:
    """One ACTIVE server of the demo user in each zone."""
    made: list[Any] = []
    try:
        for zone in ('az1', 'az2'):
            made.append(boot(demo, zone))
        yield made
    finally:
        for server in made:
            admin.compute.delete_server(server.id, ignore_missing=True)


def envelope(cloud: Any, pod: Pod, user: Credentials) -> str:
    """A signed ECP envelope the top Keystone issues for ``user`` and
    ``pod``'s service provider."""
    response = requests.post(
        cloud.keystone_url + '/auth/OS-FEDERATION/saml2/ecp', json={
            'auth': {'identity': {'methods': ['token'],
                                  'token': {'id': token(cloud, user)}},
                     'scope': {'service_provider': {
                         'id': pod.service_provider}}}}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def sp_urls(pod: Pod) -> tuple[str, str]:
    """The pod Keystone's ECP URL and federation auth URL."""
    assert pod.keystone is not None
    return (pod.keystone.url.removesuffix('/v3') + ECP_PATH,
            f'{pod.keystone.url}/OS-FEDERATION/identity_providers/{IDP_ID}'
            f'/protocols/{PROTOCOL}/auth')


def present(pod: Pod, text: str,
            session: requests.Session | None = None) -> requests.Response:
    ecp, _ = sp_urls(pod)
    return (session or requests).post(
        ecp, data=text.encode(), allow_redirects=False, timeout=30,
        headers={'Content-Type': 'application/vnd.paos+xml'})


def refusal(response: requests.Response) -> str:
    assert response.status_code == 403, response.text
    return response.json()['error']['message']


def test_sp_front_accepts_a_good_assertion_once(local_cloud, pod2):
    good = envelope(local_cloud, pod2, local_cloud.users[0])
    session = requests.Session()
    accepted = present(pod2, good, session)
    assert accepted.status_code == 302, accepted.text
    _, auth = sp_urls(pod2)
    # the session names the assertion's user, whatever headers say
    issued = session.get(auth, timeout=30, headers={
        'openstack_user': 'admin', 'Shib-Identity-Provider': 'x'})
    assert issued.status_code == 201, issued.text
    assert issued.json()['token']['user']['name'] == 'demo'

    assert refusal(present(pod2, good)) == (
        'SAML assertion refused: replayed')


@pytest.mark.parametrize('change, reason', [
    (lambda text: re.sub(r'(Name="openstack_user"[^>]*>\s*<[^>]+>)demo<',
                         r'\1admin<', text, count=1), 'bad signature'),
    (lambda text: re.sub(r'<(\w+:)?Signature\b.*</\1?Signature>', '', text,
                         flags=re.S), 'the assertion is not signed'),
    (lambda text: re.sub(r'Destination="[^"]*"',
                         'Destination="http://elsewhere.test/ECP"', text),
     'destination http://elsewhere.test/ECP'),
    (lambda text: text.replace('Success', 'Requester'),
     'status urn:oasis:names:tc:SAML:2.0:status:Requester'),
])
def test_sp_front_refuses_a_changed_assertion(local_cloud, pod2, change,
                                              reason):
    good = envelope(local_cloud, pod2, local_cloud.users[0])
    changed = change(good)
    assert changed != good
    assert refusal(present(pod2, changed)) == (
        f'SAML assertion refused: {reason}')


def test_sp_front_needs_its_session(pod2):
    _, auth = sp_urls(pod2)
    for headers in ({'Cookie': 'trio2o_sp_session=e30.forged'},
                    {'openstack_user': 'demo', 'REMOTE_USER': 'demo',
                     'Shib-Identity-Provider': 'anything',
                     'openstack_project': 'demo'}):
        answer = requests.get(auth, headers=headers, timeout=30)
        assert answer.status_code == 401, answer.text


@pytest.fixture
def foreign_idp_key(pod2: Pod, local_cloud: Any,
                    tmp_path: Path) -> Iterator[None]:
    """The pod trusts another identity provider key than the top's."""
    fed = local_cloud.federation
    original = fed.metadata.read_text()
    subprocess.run(
        ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
         '-days', '1', '-subj', '/CN=other', '-keyout',
         str(tmp_path / 'k'), '-out', str(tmp_path / 'c')],
        check=True, capture_output=True)
    other = ''.join(line for line in (tmp_path / 'c').read_text().split()
                    if 'CERTIFICATE' not in line and '-' not in line)
    fed.metadata.write_text(re.sub(
        r'(<(?:\w+:)?X509Certificate>)[^<]+(<)', rf'\g<1>{other}\g<2>',
        original))
    try:
        yield
    finally:
        fed.metadata.write_text(original)


def test_gateway_says_which_pod_refused(gateway, local_cloud, servers,
                                        foreign_idp_key):
    fresh = token(local_cloud, local_cloud.users[0])

    shown = gateway_get(gateway, fresh, f'/servers/{servers[1].id}')
    assert shown.status_code == 403, shown.text
    assert shown.json() == {'forbidden': {
        'code': 403, 'message': 'The identity service of pod Pod2 refused '
                                'the caller: the assertion or token was '
                                'not accepted'}}
    listed = gateway_get(gateway, fresh, '/servers')
    assert listed.status_code == 200
    assert listed.headers[PARTIAL_HEADER] == 'Pod2'
    assert [s['id'] for s in listed.json()['servers']
            if s['id'] in {x.id for x in servers}] == [servers[0].id]


def test_mapping_without_a_project_is_refused_and_nothing_is_routed(
        gateway, local_cloud, pod2, admin_session):
    local_cloud.keystone.ensure_user(OUTSIDER, ('member', 'reader'))
    assert pod2.keystone is not None
    # a group for the mapping, with no role anywhere
    if not pod2.keystone.get('/groups?name=outsiders')['groups']:
        pod2.keystone.call('POST', '/groups', {'group': {
            'name': 'outsiders', 'domain_id': 'default'}})
    fresh = token(local_cloud, OUTSIDER)

    made = requests.post(
        f'{gateway.url}/compute/v2.1/servers', timeout=60,
        headers={'X-Auth-Token': fresh, **MICROVERSION},
        json={'server': {'name': 'nowhere', 'flavorRef': '1',
                         'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b',
                         'networks': 'none', 'availability_zone': 'az2'}})
    assert made.status_code == 403, made.text
    assert made.json()['forbidden']['message'] == (
        'The identity service of pod Pod2 refused the caller: its mapping '
        'gives the caller no project')
    project = local_cloud.keystone.ensure_project(OUTSIDER.project_name)
    rows = admin_session.get(gateway.url + '/admin/v1/routings', params={
        'project_id': project}).json()['routings']
    assert rows == []


def test_revoked_token_stops_within_the_token_cache_time(
        gateway, local_cloud, servers):
    fresh = token(local_cloud, local_cloud.users[0])
    path = f'/servers/{servers[1].id}'
    assert gateway_get(gateway, fresh, path).status_code == 200

    local_cloud.keystone.admin.delete(
        local_cloud.keystone_url + '/auth/tokens',
        headers={'X-Subject-Token': fresh})
    revoked = time.monotonic()
    wait_for(lambda: gateway_get(gateway, fresh, path).status_code == 401,
             'revoked token refused', timeout=TOKEN_CACHE_TIME + 10)
    assert time.monotonic() - revoked <= TOKEN_CACHE_TIME + 10


def test_pod_keystone_down_is_503_naming_the_pod(gateway, local_cloud,
                                                 servers, pod2,
                                                 admin_session):
    assert pod2.keystone is not None
    pod2.keystone.stop()
    try:
        fresh = token(local_cloud, local_cloud.users[0])
        shown = gateway_get(gateway, fresh, f'/servers/{servers[1].id}')
        assert shown.status_code == 503, shown.text
        assert shown.json()['serviceUnavailable']['message'] == (
            'Pod Pod2 is unavailable.')
        listed = gateway_get(gateway, fresh, '/servers')
        assert listed.status_code == 200
        assert listed.headers[PARTIAL_HEADER] == 'Pod2'
        before = admin_session.get(gateway.url + '/admin/v1/routings',
                                   params={'resource_type': 'server'})
        made = requests.post(
            f'{gateway.url}/compute/v2.1/servers', timeout=60,
            headers={'X-Auth-Token': fresh, **MICROVERSION},
            json={'server': {'name': 'no-keystone', 'flavorRef': '1',
                             'imageRef': '70a599e0-31e7-49b7-b260-'
                                         '868f441e862b',
                             'networks': 'none',
                             'availability_zone': 'az2'}})
        assert made.status_code == 503, made.text
        after = admin_session.get(gateway.url + '/admin/v1/routings',
                                  params={'resource_type': 'server'})
        assert after.json() == before.json()
    finally:
        pod2.keystone.start()
        pod2.keystone.wait_ready()


def test_reconciler_reads_the_federated_pod_as_the_service_user(
        gateway, servers, pod2, gateway_db):  # noqa: F811
    pod_id = db.get_pod_by_name('Pod2').id
    missing = str(uuid.uuid4())
    db.create_routing(missing, 'server', pod_id, 'some-project',
                      status='active')
    summary = json.loads(gateway.manage(
        'routings', 'reconcile', '--older-than', '0', '--dry-run',
        '--prune-missing'))
    report = summary['pods']['Pod2']
    assert report['skipped'] is None
    assert missing in [c['top_id'] for c in report['changes']]
    db.delete_routing(db.get_routing_by_top_id(missing, 'server').id)
