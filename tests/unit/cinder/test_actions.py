"""``POST /v3/volumes/{id}/action``: Cinder's dispatch errors, made by
the gateway in Cinder's order and words, and a routed action."""

from __future__ import annotations

import pytest

from tests.unit.cinder.fakes import CinderGateway
from trio2o_core.testing.client import Client

NO_SUCH = ('There is no such action: {}. Verify the request body and '
           'Content-Type header and try again.')


@pytest.fixture
def volume(gateway: CinderGateway) -> dict:
    return gateway.add(2)


def action(client: Client, volume_id: str, body: object = None, **options):
    return client.post(f'/v3/volumes/{volume_id}/action', body, **options)


def test_an_action_goes_to_the_volume_s_pod(client, gateway, volume):
    reply = action(client, volume['id'], {'os-extend': {'new_size': 2}})
    assert reply.status == 202
    (post,) = gateway.calls_to('POST')
    assert (post.pod.name, post.path, post.json) == (
        'Pod2', f'/volumes/{volume["id"]}/action',
        {'os-extend': {'new_size': 2}})


@pytest.mark.parametrize('body, options, status, message', [
    (None, {}, 400, NO_SUCH.format(None)),
    ({'os-extend': {}}, {'headers': {'Content-Type': 'text/xml'}}, 415,
     'Unsupported Content-Type'),
    ('os-extend', {}, 400, 'Malformed request body'),
    ({'os-extend': {}, 'os-detach': {}}, {}, 400, 'Malformed request body'),
    ({'os-fly': {}}, {}, 400, NO_SUCH.format('os-fly')),
    ({'revert': {'snapshot_id': 's'}}, {'version': '3.39'}, 404,
     'The resource could not be found.'),
])
def test_dispatch_errors_are_cinder_s(client, gateway, volume, body,
                                      options, status, message):
    reply = action(client, volume['id'], body, **options)
    assert (reply.status, reply.message()) == (status, message)
    assert gateway.calls_to('POST') == []


def test_dispatch_errors_come_before_the_volume_is_looked_up(client):
    reply = action(client, 'nope', {'os-fly': {}})
    assert reply.message() == NO_SUCH.format('os-fly')


def test_revert_exists_from_3_40(client, gateway, volume):
    reply = action(client, volume['id'], {'revert': {'snapshot_id': 's'}},
                   version='3.40')
    assert reply.status == 202


def test_an_unknown_volume_is_cinder_s_404(client):
    reply = action(client, 'nope', {'os-extend': {'new_size': 2}})
    assert (reply.status, reply.body) == (404, {'itemNotFound': {
        'code': 404, 'message': 'Volume nope could not be found.'}})


def test_another_project_s_volume_is_unknown(client, gateway):
    theirs = gateway.add(1, project='project-b')
    reply = action(client, theirs['id'], {'os-extend': {'new_size': 2}})
    assert reply.status == 404


def test_a_volume_of_a_down_pod_is_503(client, gateway, volume):
    gateway.mark_down(gateway.pod(2))
    reply = action(client, volume['id'], {'os-extend': {'new_size': 2}})
    assert (reply.status, reply.message()) == (503,
                                               'Pod Pod2 is unavailable.')


def test_a_disabled_action_is_unknown(gateway, volume):
    from trio2o_plugins.cinder.service import CinderService
    gateway.conf.set_override('enabled_volume_actions', ['os-detach'],
                              group='cinder')
    reply = action(Client(CinderService(gateway)), volume['id'],
                   {'os-extend': {'new_size': 2}})
    assert reply.message() == NO_SUCH.format('os-extend')


@pytest.mark.parametrize('name', ['os-force_delete', 'os-unmanage'])
def test_a_removal_marks_the_routing_deleting_once_accepted(
        client, gateway, volume, name):
    reply = action(client, volume['id'], {name: {}})
    assert reply.status == 202
    assert gateway.routings[(volume['id'], 'volume')].status == 'deleting'


@pytest.mark.parametrize('version, status', [('3.67', 404), ('3.68', 202)])
def test_reimage_exists_from_3_68(client, gateway, volume, version, status):
    reply = action(client, volume['id'], {'os-reimage': {
        'image_id': '8e4b6b14-0a39-4a06-9f7c-3c0a4d4c6a57'}},
        version=version)
    assert reply.status == status


@pytest.mark.parametrize('name', ['os-migrate_volume_completion',
                                  'os-extend_volume_completion'])
def test_completions_go_to_the_pod(client, gateway, volume, name):
    assert action(client, volume['id'], {name: {'error': False}}).status \
        == 202
    (post,) = gateway.calls_to('POST')
    assert post.pod.name == 'Pod2'
