"""How a service driver lets the reconciler settle its routing rows.

Calls cut short leave rows the core reconciler settles
(``trio2o-manage routings reconcile``): ``creating`` and ``deleting``
rows of a resource type, and ``<type>_request`` rows written before a
create call (the pod may hold resources of that project, made after the
row, that no row points to). The core runs the algorithm; the driver's
:class:`Reconciler` reads a pod: whether a resource is there, gone or
being deleted, and which resources of a project a pod made in a time
window.
"""

from __future__ import annotations

import abc
import datetime
import enum
from collections.abc import Callable
from collections.abc import Sequence
from typing import ClassVar

from trio2o_core.plugin.podcall import CatalogService
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.types import Pod

#: ``get(path, params)``: ``GET`` a path under the service's endpoint in
#: the pod, as the gateway's service user (who sees every project); it
#: raises :class:`PodUnreadable` when the pod cannot be reached
PodGet = Callable[[str, Sequence[tuple[str, str]]], PodReply]


class ResourceState(enum.Enum):
    """What a pod says of one resource."""

    PRESENT = 'present'
    #: present, and being deleted
    DELETING = 'deleting'
    GONE = 'gone'


class PodUnreadable(Exception):
    """A pod could not be read as the reconciler needs (no answer, or an
    answer it cannot trust): none of the pod's rows is changed."""


class PodInventory(abc.ABC):
    """One pod's resources of one type, read for one reconciler run."""

    @abc.abstractmethod
    def state(self, resource_id: str) -> ResourceState:
        """Say whether the resource is in the pod; GONE only when the
        pod says so.

        :raises PodUnreadable: the pod cannot be read.
        """

    @abc.abstractmethod
    def made(self, project_id: str, since: datetime.datetime,
             until: datetime.datetime) -> list[str]:
        """Return the ids of the project's resources (not deleted) the
        pod made at or after ``since`` and before ``until`` (aware UTC),
        as precisely as the pod tells times.

        :raises PodUnreadable: the pod cannot be read.
        """


class Reconciler(abc.ABC):
    """A driver's reader of pods for one routed resource type."""

    #: the routing type settled (``server``); its request rows are
    #: ``<resource_type>_request``
    resource_type: ClassVar[str]
    #: the pod endpoint read
    catalog_service: ClassVar[CatalogService]

    @abc.abstractmethod
    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        """Return the reader of ``pod``'s resources, reading through
        ``get``."""
