"""What the reconciler does: one :class:`Change` per routing row, a
:class:`PodReport` per pod, a :class:`Summary` per run."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from trio2o_core.db.models import RoutingStatus


class Action(enum.StrEnum):
    """What the reconciler does to one routing row."""

    #: a ``creating`` row whose resource exists: marked ``active``
    ACTIVATED = 'activated'
    #: a ``creating`` row whose resource does not exist: removed
    REMOVED_CREATING = 'removed_creating'
    #: a ``deleting`` row whose resource is gone: removed
    REMOVED_DELETED = 'removed_deleted'
    #: a ``deleting`` row whose resource stays and is not being deleted:
    #: set back to ``active``
    RESTORED = 'restored'
    #: a resource of a request row that no row points to: routed
    #: ``active``
    ADOPTED = 'adopted'
    #: a request row, once its resources are routed: removed
    REMOVED_REQUEST = 'removed_request'
    #: an ``active`` row whose resource is gone: removed
    #: (``prune_missing``)
    PRUNED = 'pruned'
    #: a ``deleting`` row whose resource is gone, of a type whose rows
    #: are kept a while after (``Reconciler.retention``): marked
    #: ``deleted``
    MARKED_DELETED = 'marked_deleted'
    #: a ``deleted`` row kept longer than its type's retention: removed
    EXPIRED = 'expired'


#: the status a row must still have for an action on it to be made
EXPECTED_STATUS = {
    Action.ACTIVATED: RoutingStatus.CREATING,
    Action.REMOVED_CREATING: RoutingStatus.CREATING,
    Action.REMOVED_DELETED: RoutingStatus.DELETING,
    Action.RESTORED: RoutingStatus.DELETING,
    Action.REMOVED_REQUEST: RoutingStatus.CREATING,
    Action.PRUNED: RoutingStatus.ACTIVE,
    Action.MARKED_DELETED: RoutingStatus.DELETING,
    Action.EXPIRED: RoutingStatus.DELETED,
}


@dataclasses.dataclass(frozen=True)
class Change:
    """One change to the routing table.

    ``routing_id`` is the row changed, None for :attr:`Action.ADOPTED`
    (the row is new); ``pod_project_id`` the pod-side project an adopted
    resource of a ``k2k`` pod lives in.
    """

    action: Action
    resource_type: str
    top_id: str
    project_id: str
    routing_id: int | None = None
    pod_project_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready values."""
        return {'action': self.action.value,
                'resource_type': self.resource_type,
                'top_id': self.top_id, 'project_id': self.project_id}


@dataclasses.dataclass
class PodReport:
    """What the reconciler did (or would do) in one pod.

    ``skipped`` says why the pod was not reconciled; its rows are then
    unchanged.
    """

    name: str
    changes: list[Change] = dataclasses.field(default_factory=list)
    skipped: str | None = None

    def counts(self) -> dict[str, int]:
        """Return how many changes of each action, every action named."""
        return {action.value: sum(change.action is action
                                  for change in self.changes)
                for action in Action}

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values."""
        return {'counts': self.counts(), 'skipped': self.skipped,
                'changes': [change.as_dict() for change in self.changes]}


@dataclasses.dataclass
class Summary:
    """The outcome of one run: a report per enabled pod, by pod name.

    With ``dry_run`` the reports list what would have been done.
    """

    dry_run: bool
    older_than: float
    pods: dict[str, PodReport]

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready values."""
        return {'dry_run': self.dry_run, 'older_than': self.older_than,
                'pods': {name: report.as_dict()
                         for name, report in self.pods.items()}}
