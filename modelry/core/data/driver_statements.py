"""A SQLAlchemy statement compiled once into what a driver executes: the SQL text and its
parameters, bound as SQLAlchemy would bind them (type processors, escaped names, the order
of positional ones), so a hot statement can run on a driver connection without
SQLAlchemy's execution layer."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa


class DriverStatement:
    """`sql` and `parameters(values)` of one statement for one dialect's driver."""

    __slots__ = ("sql", "_fixed", "_processors", "_escaped", "_order")

    def __init__(self, sql: str, fixed: dict[str, Any], processors: dict[str, Any],
                 escaped: dict[str, str], order: tuple[str, ...] | None) -> None:
        self.sql = sql
        self._fixed = fixed
        self._processors = processors
        self._escaped = escaped
        self._order = order

    @classmethod
    def compile(cls, statement: Any, dialect: sa.Dialect,
                column_keys: tuple[str, ...] | None = None) -> DriverStatement | None:
        """The statement compiled for `dialect` (an INSERT for the columns `column_keys`),
        or None when SQLAlchemy must render parts of it at each execution (expanding IN
        lists, literal binds, schema maps)."""
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if compiled.literal_execute_params or compiled.post_compile_params or \
                compiled.schema_translate_map:
            return None
        processors = dict(compiled._bind_processors)  # what the execution context applies
        order = tuple(compiled.positiontup) if compiled.positional else None
        escaped = {} if order is not None else dict(compiled.escaped_bind_names or {})
        binds = compiled.binds
        fixed = _bound({name: value for name, value in compiled.construct_params(
            escape_names=False, _check=False).items()
            if name not in binds or not binds[name].required},  # (the caller's to give)
            processors, escaped)
        return cls(compiled.string, fixed, processors, escaped, order)

    def parameters(self, values: dict[str, Any]) -> dict[str, Any] | list[Any]:
        """The driver's parameters: the statement's own values, then `values` (a list in
        the SQL's order for a positional driver)."""
        bound = {**self._fixed, **_bound(values, self._processors, self._escaped)} \
            if values else self._fixed
        if self._order is not None:
            return [bound[name] for name in self._order]
        return dict(bound)


def _bound(values: dict[str, Any], processors: dict[str, Any],
           escaped: dict[str, str]) -> dict[str, Any]:
    return {escaped.get(key, key): processors[key](value) if key in processors else value
            for key, value in values.items()}
