"""A write made in every pod: undone where a later pod fails, reported
with the pods it stays in where the undo fails too."""

from __future__ import annotations

from tests.unit.cinder.fakes import fault
from trio2o_core.testing.fake_pods import pod_response

CREATED = {'volume_type': {'id': 't1', 'name': 'gold'}}


def create(client):
    return client.post('/v3/types', {'volume_type': {'name': 'gold'}})


def test_a_later_pod_s_refusal_undoes_the_first_pod(client, gateway):
    gateway.script(gateway.pod(1), 'POST', '/types',
                   pod_response(200, CREATED))
    gateway.script(gateway.pod(2), 'POST', '/types', fault(
        409, 'conflictingRequest', 'Volume Type gold already exists.'))
    gateway.script(gateway.pod(1), 'DELETE', '/types/t1', pod_response(202))
    reply = create(client)
    assert (reply.status, reply.body) == (409, {'conflictingRequest': {
        'code': 409, 'message': 'Volume Type gold already exists.'}})
    assert [(c.pod.name, c.path) for c in gateway.calls_to('DELETE')] == [
        ('Pod1', '/types/t1')]


def test_a_failed_undo_names_the_pods(client, gateway):
    gateway.script(gateway.pod(1), 'POST', '/types',
                   pod_response(200, CREATED))
    gateway.script(gateway.pod(2), 'POST', '/types', fault(
        400, 'badRequest', 'no'))
    gateway.script(gateway.pod(1), 'DELETE', '/types/t1', fault(
        400, 'badRequest', 'Target volume type is still in use.'))
    reply = create(client)
    assert (reply.status, reply.body) == (500, {'computeFault': {
        'code': 500, 'message': 'Volume type create failed in pod Pod2 and '
        'could not be undone in pods Pod1.'}})


def test_a_pod_known_down_is_503_before_any_call(client, gateway):
    gateway.mark_down(gateway.pod(2))
    reply = create(client)
    assert (reply.status, reply.body) == (503, {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}})
    assert gateway.calls_to('POST') == []


def test_a_type_read_does_without_a_pod_down_a_write_does_not(client,
                                                              gateway):
    gateway.mark_down(gateway.pod(1))
    gateway.script(gateway.pod(2), 'GET', '/types', pod_response(200, {
        'volume_types': [{'id': 't2', 'name': 'gold', 'extra_specs': {}}]}))
    gateway.script(gateway.pod(2), 'GET', '/types/t2/extra_specs',
                   pod_response(200, {'extra_specs': {'k': 'v'}}))
    read = client.get('/v3/types/t2/extra_specs')
    assert (read.status, read.body) == (200, {'extra_specs': {'k': 'v'}})
    write = client.post('/v3/types/t2/extra_specs',
                        {'extra_specs': {'k': 'w'}})
    assert (write.status, write.body) == (503, {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod1 is unavailable.'}})
    assert gateway.calls_to('POST') == []
