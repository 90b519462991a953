"""The gateway's pod list: read from the table on every call, its Pods
made again only when a row has changed."""

from trio2o_core.conf import CONF
from trio2o_core.core_gateway import CoreGateway
from trio2o_core.db import api


def test_unchanged_rows_give_the_same_pods_in_a_new_list(db: str) -> None:
    api.create_pod('Pod1', 'az1')
    api.create_pod('Pod2', 'az2')
    gateway = CoreGateway(CONF)
    first = gateway.list_pods()
    first.pop()

    second = gateway.list_pods()

    assert [pod.name for pod in second] == ['Pod1', 'Pod2']
    assert second[0] is first[0]


def test_every_change_of_a_row_is_seen_at_once(db: str) -> None:
    one = api.create_pod('Pod1', 'az1')
    two = api.create_pod('Pod2', 'az2')
    gateway = CoreGateway(CONF)
    assert [pod.name for pod in gateway.list_pods()] == ['Pod1', 'Pod2']

    api.update_pod(one.id, draining=True, weight=7)
    changed = gateway.list_pods()
    assert (changed[0].draining, changed[0].weight) == (True, 7)

    api.update_pod(two.id, enabled=False)
    assert [pod.name for pod in gateway.list_pods()] == ['Pod1']
    assert [pod.name for pod in gateway.list_pods(enabled_only=False)] == [
        'Pod1', 'Pod2']

    api.create_pod('Pod3', 'az3')
    api.delete_pod(one.id)
    assert [pod.name for pod in gateway.list_pods()] == ['Pod3']


def test_unchanged_rows_are_read_as_the_same_records(db: str) -> None:
    one = api.create_pod('Pod1', 'az1')
    api.create_pod('Pod2', 'az2')
    first = api.list_pods(timestamps=False)
    in_zone = api.list_pods(az_name='az2', timestamps=False)

    second = api.list_pods(timestamps=False)
    assert second is not first
    assert [a is b for a, b in zip(first, second, strict=True)] == [
        True, True]
    assert [pod.name for pod in in_zone] == ['Pod2']
    assert api.list_pods(az_name='az2', timestamps=False)[0] is in_zone[0]

    api.update_pod(one.id, weight=3)
    third = api.list_pods(timestamps=False)
    assert (third[0].weight, third[0] is first[0]) == (3, False)
    assert api.list_pods(az_name='az2', timestamps=False)[0] is in_zone[0]
