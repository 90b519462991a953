"""User messages: found in the pod that has them; an id no pod has is
the first pod's 404, or 503 while a pod is down."""

from __future__ import annotations

from tests.unit.cinder.fakes import fault
from trio2o_core.testing.fake_pods import pod_response

MESSAGE = {'message': {'id': 'm2', 'event_id': 'VOLUME_000001'}}


def _missing(message_id: str):
    return fault(404, 'itemNotFound',
                 f'Message {message_id} could not be found.')


def test_show_and_delete_in_the_pod_that_has_it(client, gateway):
    gateway.script(gateway.pod(1), 'GET', '/messages/m2', _missing('m2'))
    gateway.script(gateway.pod(2), 'GET', '/messages/m2',
                   pod_response(200, MESSAGE))
    gateway.script(gateway.pod(2), 'DELETE', '/messages/m2',
                   pod_response(204))
    assert client.get('/v3/messages/m2').body == MESSAGE
    assert client.delete('/v3/messages/m2').status == 204
    assert [(c.pod.name, c.path) for c in gateway.calls_to('DELETE')] == [
        ('Pod2', '/messages/m2')]


def test_unknown_is_the_first_pods_404_or_503_with_a_pod_down(client,
                                                              gateway):
    for index in (1, 2):
        gateway.script(gateway.pod(index), 'GET', '/messages/m9',
                       _missing('m9'))
    unknown = client.get('/v3/messages/m9')
    assert (unknown.status, unknown.body) == (404, {'itemNotFound': {
        'code': 404, 'message': 'Message m9 could not be found.'}})
    gateway.mark_down(gateway.pod(2))
    down = client.delete('/v3/messages/m9')
    assert (down.status, down.body) == (503, {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}})
    assert gateway.calls_to('DELETE') == []
