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
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
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
    #: seconds the row of a resource gone from its pod is kept,
    #: ``deleted``, for the calls the service serves on deleted resources,
    #: before the reconciler prunes it (0: removed at once)
    retention: float = 0.0

    @abc.abstractmethod
    def inventory(self, pod: Pod, get: PodGet) -> PodInventory:
        """Return the reader of ``pod``'s resources, reading through
        ``get``."""


class ListedInventory(PodInventory):
    """A pod's resources as an OpenStack API lists them: its
    ``/<collection>/detail`` of every project (``all_tenants``), read once
    page by page; a resource not listed is shown by
    ``/<collection>/<id>`` and is gone only when the pod answers a 404
    ``itemNotFound``. A subclass names the collection, the attributes of
    a record's project and creation time, and what a record's state is.
    """

    #: ``servers``, ``volumes`` ...; a shown record is under the singular
    collection: ClassVar[str]
    #: the attribute showing a record's project
    project_key: ClassVar[str]
    #: for an API whose records do not show their project (Cinder's
    #: backups before 3.18): the list filter that selects one project's
    #: records, which :meth:`made` then lists instead of reading
    #: :attr:`project_key`
    project_filter: ClassVar[str | None] = None
    created_key: ClassVar[str]
    #: records asked for per page of the list
    page_size: ClassVar[int] = 1000

    def __init__(self, pod: Pod, get: PodGet) -> None:
        self._pod = pod
        self._get = get
        self._listed: dict[str, dict[str, Any]] | None = None

    @abc.abstractmethod
    def record_state(self, record: Mapping[str, Any]) -> ResourceState:
        """Say what a listed or shown record's state is."""

    def listed(self) -> Mapping[str, dict[str, Any]]:
        """Return every record the pod lists, by id, paging through.

        :raises PodUnreadable: a page cannot be had.
        """
        if self._listed is None:
            self._listed = self._list([])
        return self._listed

    def _list(self, filters: list[tuple[str, str]]
              ) -> dict[str, dict[str, Any]]:
        """Return the records of every project the pod lists with
        ``filters``, by id, paging through.

        :raises PodUnreadable: a page cannot be had.
        """
        path = f'/{self.collection}/detail'
        listed: dict[str, dict[str, Any]] = {}
        marker = None
        while True:
            params = [('all_tenants', '1'), *filters,
                      ('limit', str(self.page_size))]
            if marker is not None:
                params.append(('marker', marker))
            reply = self._get(path, params)
            body = _json_object(reply)
            page = body.get(self.collection) if body is not None else None
            if reply.status_code != 200 or not isinstance(page, list):
                raise self._unexpected(path, reply)
            listed.update((record['id'], record) for record in page)
            if not page or not body or not body.get(
                    f'{self.collection}_links'):
                return listed
            marker = page[-1]['id']

    def state(self, resource_id: str) -> ResourceState:
        record = self.listed().get(resource_id)
        if record is None:
            path = f'/{self.collection}/{resource_id}'
            reply = self._get(path, [])
            body = _json_object(reply)
            if (reply.status_code == 404 and body is not None
                    and 'itemNotFound' in body):
                return ResourceState.GONE
            record = (body.get(self.collection[:-1]) if body is not None
                      else None)
            if reply.status_code != 200 or not isinstance(record, dict):
                raise self._unexpected(path, reply)
        return self.record_state(record)

    def made(self, project_id: str, since: datetime.datetime,
             until: datetime.datetime) -> list[str]:
        # creation times are told to the second (a database column of
        # seconds): a resource made in the second of ``since`` counts, one
        # made in the second of ``until`` may be a call's in flight
        since = since.replace(microsecond=0)
        until = until.replace(microsecond=0)
        if self.project_filter is not None:
            records = self._list([(self.project_filter, project_id)])
        else:
            records = {record_id: record for record_id, record
                       in self.listed().items()
                       if record.get(self.project_key) == project_id}
        made = []
        for record in records.values():
            created = _created(record.get(self.created_key))
            if (self.record_state(record) is not ResourceState.GONE
                    and created is not None and since <= created < until):
                made.append(record['id'])
        return made

    def _unexpected(self, path: str, reply: PodReply) -> PodUnreadable:
        return PodUnreadable(f'{self._pod.name} answered GET {path} with '
                             f'HTTP {reply.status_code} and no expected '
                             'body')


def _json_object(reply: PodReply) -> dict[str, Any] | None:
    """Return the answer's body if it is a JSON object, else None."""
    try:
        body = reply.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _created(value: Any) -> datetime.datetime | None:
    """Return an ISO 8601 time as aware UTC (naive is UTC), None if
    unreadable; whole seconds, as pods store them."""
    try:
        created = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.UTC)
    return created.replace(microsecond=0)
