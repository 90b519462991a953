"""Scheduler hints that name a pod: ``trio2o:pod`` (admins only) and
``trio2o:same_pod_as`` (a server or volume of the caller's project)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.plugin import exceptions
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.types import Pod

POD_HINT = 'trio2o:pod'
SAME_POD_HINT = 'trio2o:same_pod_as'
#: resource types a ``trio2o:same_pod_as`` id may name, looked up in order
SAME_POD_TYPES = ('server', 'volume')


def hinted_pod(gateway: Gateway, context: Any,
               hints: Mapping[str, Any] | None) -> Pod | None:
    """Return the pod the hints name, or None when they name none.

    :raises Forbidden: ``trio2o:pod`` from a caller who is not an admin.
    :raises BadRequest: an unknown pod, a resource the caller has not,
        or two hints naming different pods.
    """
    hints = hints or {}
    named: list[Pod] = []
    if hints.get(POD_HINT) is not None:
        if not context.is_admin:
            raise exceptions.Forbidden(
                f'Only administrators may use the {POD_HINT} scheduler '
                'hint.')
        named.append(_pod_named(gateway, hints[POD_HINT]))
    same = hints.get(SAME_POD_HINT)
    for ident in [same] if isinstance(same, str) else same or []:
        named.append(_pod_of(gateway, context, ident))
    if len({pod.id for pod in named}) > 1:
        raise exceptions.BadRequest(
            'The scheduler hints name different pods: '
            f'{", ".join(sorted({pod.name for pod in named}))}.')
    return named[0] if named else None


def _pod_named(gateway: Gateway, ident: Any) -> Pod:
    if not isinstance(ident, str):
        raise exceptions.BadRequest(
            f'Invalid input for field/attribute {POD_HINT}. Value: '
            f'{ident!r}. Not a pod name.')
    for find in (db.get_pod_by_name, db.get_pod):
        try:
            return gateway.get_pod(find(ident).id)
        except db_exc.NotFound:
            continue
    raise exceptions.BadRequest(
        f'Invalid input for field/attribute {POD_HINT}. Value: {ident}. '
        'No such pod.')


def _pod_of(gateway: Gateway, context: Any, ident: Any) -> Pod:
    if isinstance(ident, str):
        for resource_type in SAME_POD_TYPES:
            routing = gateway.lookup(context, ident, resource_type)
            if routing is not None:
                return routing.pod
    raise exceptions.BadRequest(
        f'Invalid input for field/attribute {SAME_POD_HINT}. Value: '
        f'{ident}. No server or volume of the project has this id.')
