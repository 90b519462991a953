"""A prepared read's statement as compiled for one engine: its SQL and
DBAPI arguments for a call's parameters (an expanding statement rendered
once per length of its lists), and the processors of its values."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sqlalchemy as sa

from trio2o_core.db import exceptions

#: the lengths of lists whose rendering a statement keeps (a page size is
#: a client's choice: the memory they take stays bounded)
MAX_SHAPES = 32


@dataclasses.dataclass(frozen=True)
class CompiledRead:
    """A ``SELECT`` compiled for one engine, and its value processors."""

    engine: sa.Engine
    compiled: Any
    #: the selected columns' keys, and their result processors
    keys: list[str]
    results: list[Any]
    #: the bind parameters' processors, by name
    binds: dict[str, Any]
    #: whether a bind parameter is a list rendered at each call
    expanding: bool

    @functools.cached_property
    def converted(self) -> list[tuple[int, str, Any]]:
        """The place, key and processor of each column whose values are
        converted."""
        return [(index, key, process) for index, (key, process)
                in enumerate(zip(self.keys, self.results, strict=True))
                if process]

    #: an expanding statement's SQL and arguments, by its lists' lengths
    shapes: dict[tuple[int, ...], _Shape | None] = dataclasses.field(
        default_factory=dict)

    def bound(self, params: dict[str, Any]) -> tuple[str, Any]:
        """Return the SQL and the DBAPI arguments for ``params``.

        :raises trio2o_core.db.exceptions.InvalidValue: a value its
            column's type cannot take.
        :raises sqlalchemy.exc.SQLAlchemyError: a parameter is missing.
        """
        compiled = self.compiled
        if self.expanding:
            shape = self._shape(params)
            if shape is not None:
                return shape.sql, shape.arguments(params,
                                                  compiled.positional)
            state = compiled.construct_expanded_state(params)
            sql, values = state.statement, dict(state.parameters)
            order, processors = state.positiontup, {**self.binds,
                                                    **state.processors}
        else:
            sql, values = compiled.string, compiled.construct_params(params)
            order, processors = compiled.positiontup, self.binds
        for name, process in processors.items():
            if name in values:
                values[name] = _processed(name, process, values[name])
        return sql, ([values[name] for name in order]
                     if compiled.positional else values)

    def _shape(self, params: dict[str, Any]) -> _Shape | None:
        """The SQL of ``params``' list lengths and where each argument
        comes from, rendered once per lengths (None: the statement
        renders values themselves, or a list is not a list)."""
        lists = self.lists
        try:
            key = tuple(len(params[name]) for name in lists)
        except (KeyError, TypeError):
            return None
        if key in self.shapes:
            return self.shapes[key]
        if len(self.shapes) >= MAX_SHAPES:
            return None  # rendered at each call, as before
        shape = None
        if not self.compiled.literal_execute_params:
            probe = {name: (
                [_Slot(name, index) for index in range(len(value))]
                if name in lists else _Slot(name, None))
                for name, value in params.items()}
            state = self.compiled.construct_expanded_state(probe)
            processors = {**self.binds, **state.processors}
            sources = {}
            for name, slot in state.parameters.items():
                if not isinstance(slot, _Slot):
                    break
                sources[name] = (slot.name, slot.index,
                                 processors.get(name))
            else:
                shape = _Shape(state.statement, sources,
                               state.positiontup)
        self.shapes[key] = shape
        return shape

    @functools.cached_property
    def lists(self) -> tuple[str, ...]:
        """The names of the bind parameters that are lists."""
        return tuple(name for name, bind in self.compiled.binds.items()
                     if bind.expanding)


class _Slot:
    """A stand-in for a parameter's value (``index`` in its list)."""

    __slots__ = ('index', 'name')

    def __init__(self, name: str, index: int | None) -> None:
        self.name = name
        self.index = index


@dataclasses.dataclass(frozen=True)
class _Shape:
    """An expanding statement rendered for one length of each list."""

    sql: str
    #: argument name -> its parameter, index in the list (None: not a
    #: list), and value processor
    sources: dict[str, tuple[str, int | None, Any]]
    order: Any

    def arguments(self, params: dict[str, Any], positional: bool) -> Any:
        """The DBAPI arguments for ``params``.

        :raises trio2o_core.db.exceptions.InvalidValue: as
            :meth:`CompiledRead.bound`.
        """
        values = {}
        for name, (param, index, process) in self.sources.items():
            value = params[param] if index is None else params[param][index]
            values[name] = (value if process is None
                            else _processed(name, process, value))
        return [values[name] for name in self.order] if positional \
            else values


def _processed(name: str, process: Any, value: Any) -> Any:
    try:
        return process(value)
    except (TypeError, ValueError) as error:
        raise exceptions.InvalidValue(
            name, 'not valid for its column') from error
