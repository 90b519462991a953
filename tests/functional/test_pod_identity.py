"""A pod's identity mode through the admin API and trio2o-manage: shared
by default, k2k only with a service provider."""

from __future__ import annotations

from tests.functional.test_admin_api import admin  # noqa: F401
from tests.functional.test_admin_api import base_url  # noqa: F401
from tests.functional.test_admin_api import config_file  # noqa: F401
from tests.functional.test_admin_api import empty_tables  # noqa: F401
from tests.functional.test_admin_api import fault
from tests.functional.test_admin_api import manage
from tests.functional.test_admin_api import manage_json


def test_admin_api_pod_identity(admin):  # noqa: F811
    shared = admin.create_pod('Pod1')
    assert (shared['identity'], shared['service_provider']) == (
        'shared', None)
    fed = admin.create_pod('Pod2', 'az2', identity='k2k',
                           service_provider='pod2-sp')
    assert (fed['identity'], fed['service_provider']) == ('k2k', 'pod2-sp')
    assert admin('GET', f'/v1/pods/{fed["id"]}').json()['pod'] == {
        **fed, 'holdings': {}}

    assert fault(admin('POST', '/v1/pods', {'pod': {
        'name': 'Pod3', 'az_name': 'az3', 'identity': 'k2k'}}), 400) == (
        'Invalid value for service_provider: a k2k pod needs the service '
        'provider registered for it in the top Keystone')
    assert fault(admin('POST', '/v1/pods', {'pod': {
        'name': 'Pod3', 'az_name': 'az3', 'identity': 'saml'}}), 400) == (
        "Invalid input for field/attribute identity. Value: saml. 'saml' "
        "is not one of ['shared', 'k2k']")
    url = f'/v1/pods/{shared["id"]}'
    assert fault(admin('PUT', url, {'pod': {'identity': 'k2k'}}), 400
                 ).startswith('Invalid value for service_provider')
    assert admin('GET', url).json()['pod']['identity'] == 'shared'
    moved = admin('PUT', url, {'pod': {'identity': 'k2k',
                                       'service_provider': 'pod1-sp'}})
    assert moved.status_code == 200, moved.text
    assert moved.json()['pod']['identity'] == 'k2k'


def test_manage_pod_identity(config_file):  # noqa: F811
    assert manage(config_file, 'db', 'sync').returncode == 0
    pod = manage_json(config_file, 'pod', 'create', '--name', 'Pod2',
                      '--az-name', 'az2', '--identity', 'k2k',
                      '--service-provider', 'pod2-sp')
    assert (pod['identity'], pod['service_provider']) == ('k2k', 'pod2-sp')

    refused = manage(config_file, 'pod', 'create', '--name', 'Pod3',
                     '--az-name', 'az3', '--identity', 'k2k')
    assert refused.returncode == 1
    assert 'a k2k pod needs the service provider' in refused.stderr
    assert [p['name'] for p in manage_json(config_file, 'pod', 'list')] == [
        'Pod2']

    updated = manage_json(config_file, 'pod', 'update', 'Pod2',
                          '--identity', 'shared')
    assert updated['identity'] == 'shared'
    assert manage_json(config_file, 'pod', 'update', 'Pod2',
                       '--service-provider', 'other-sp')[
        'service_provider'] == 'other-sp'
