"""Errors of the database layer.

The database API raises only these; the HTTP layer maps them to faults.
Driver and SQLAlchemy exceptions never cross the API.
"""

from collections.abc import Sequence


class DBError(Exception):
    """A database operation failed."""


class DBConnectionError(DBError):
    """The database could not be reached or the connection was lost."""


class TransientError(DBError):
    """A deadlock or lock timeout; running the transaction again may work."""


class NotFound(DBError):
    """No row of ``resource`` has the identifier ``ident``."""

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f'{resource} {ident} could not be found.')
        self.resource = resource
        self.ident = ident


class MarkerNotFound(DBError):
    """A pagination marker names no row (an input error, not a 404)."""

    def __init__(self, marker: object) -> None:
        super().__init__(f'Marker {marker} could not be found.')
        self.marker = marker


class Duplicate(DBError):
    """A row with the same values in ``columns`` already exists."""

    def __init__(self, columns: Sequence[str], table: str | None = None
                 ) -> None:
        self.columns = tuple(columns)
        self.table = table
        where = f' in {table}' if table else ''
        super().__init__(
            f'Duplicate value of {", ".join(self.columns) or "a unique key"}'
            f'{where}.')

    @property
    def field(self) -> str:
        """The duplicated column names joined by commas."""
        return ', '.join(self.columns)


class InvalidReference(DBError):
    """A foreign key names a row that does not exist (or is still used).

    ``columns`` is empty when the backend does not say which (SQLite).
    """

    def __init__(self, columns: Sequence[str] = (), table: str | None = None
                 ) -> None:
        self.columns = tuple(columns)
        self.table = table
        what = ', '.join(self.columns) or 'a foreign key'
        super().__init__(f'Invalid reference in {what}.')


class InvalidValue(DBError):
    """A value does not fit its column (too long, missing, out of range)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f'Invalid value for {field}: {reason}')
        self.field = field
        self.reason = reason


class PodInUse(DBError):
    """A pod cannot be deleted while ``count`` routings point at it."""

    def __init__(self, pod_id: str, count: int) -> None:
        super().__init__(
            f'Pod {pod_id} is in use by {count} routed resource(s).')
        self.pod_id = pod_id
        self.count = count
