"""A constraint violation the database reported, told in the model's words.

Each dialect says it differently (SQLite's `UNIQUE constraint failed: t.c`, PostgreSQL's
SQLSTATE and diagnostics, MySQL's error numbers and constraint names); this reads them all
into one `Violation` and names the model and field, so the caller gets
`demo.PetShop.code: the value 'S001' is already used` and never a table name. The
database's own text goes to the server log only.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from modelry.core.registry import ModelMeta, Registry
from modelry.errors import (ForeignKeyViolation, IntegrityViolation, NotNullViolation,
                            RecordReferenced, UniqueViolation)

log = logging.getLogger("modelry.data")

UNIQUE, MISSING_PARENT, REFERENCED, NOT_NULL = "unique", "missing", "referenced", "not_null"
_PG_STATES = {"23505": UNIQUE, "23503": MISSING_PARENT, "23502": NOT_NULL}
_MYSQL_CODES = {1062: UNIQUE, 1452: MISSING_PARENT, 1451: REFERENCED, 1048: NOT_NULL,
                1364: NOT_NULL}
_SQLITE_PREFIXES = {"UNIQUE constraint failed": UNIQUE, "NOT NULL constraint failed": NOT_NULL,
                    "FOREIGN KEY constraint failed": MISSING_PARENT}
_QUOTED = r"[`'\"]?([\w.]+?)[`'\"]?"


@dataclass
class Violation:
    """What the database said: the kind, the table and columns involved when it told them,
    the offending value when it showed it, and the constraint's name."""

    kind: str | None
    table: str | None = None
    columns: tuple[str, ...] = ()
    value: str | None = None
    constraint: str | None = None


def read_violation(error: sa.exc.DBAPIError) -> Violation:
    """The violation `error` reports (kind None when it is another refusal)."""
    original = error.orig
    if hasattr(original, "diag"):  # psycopg
        return _postgresql(original, original.sqlstate or "")
    number = getattr(original, "args", (None,))[:1]
    if number and isinstance(number[0], int):
        return _mysql(number[0], str(original.args[-1]))
    return _sqlite(str(original))


def _postgresql(original: Any, sqlstate: str) -> Violation:
    kind = _PG_STATES.get(sqlstate)
    diag = original.diag
    detail = diag.message_detail or ""
    if kind == MISSING_PARENT and "still referenced" in detail:
        kind = REFERENCED
    match = re.search(r"Key \((.+?)\)=\((.*)\)", detail)
    columns = tuple(c.strip() for c in match.group(1).split(",")) if match else ()
    if kind == NOT_NULL and diag.column_name:
        columns = (diag.column_name,)
    return Violation(kind, diag.table_name, columns, match.group(2) if match else None,
                     diag.constraint_name)


def _mysql(number: int, text: str) -> Violation:
    kind = _MYSQL_CODES.get(number)
    if kind == UNIQUE:
        match = re.search(r"Duplicate entry '(.*)' for key " + _QUOTED + r"$", text)
        if match:
            return Violation(kind, value=match.group(1),
                             constraint=match.group(2).rpartition(".")[2])
    if kind in (MISSING_PARENT, REFERENCED):
        match = re.search(r"\(`[^`]*`\.`([^`]+)`, CONSTRAINT `([^`]+)` FOREIGN KEY \(`([^`]+)`",
                          text)
        if match:
            return Violation(kind, match.group(1), (match.group(3),), None, match.group(2))
    if kind == NOT_NULL:
        match = re.search(r"(?:Column|Field) '([^']+)'", text)
        if match:
            return Violation(kind, columns=(match.group(1),))
    return Violation(kind)


def _sqlite(text: str) -> Violation:
    prefix, _, rest = text.partition(":")
    kind = _SQLITE_PREFIXES.get(prefix.strip())
    if kind is None or not rest.strip():
        return Violation(kind)
    pairs = [part.strip().rpartition(".") for part in rest.split(",")]
    return Violation(kind, pairs[0][0] or None, tuple(column for _, _, column in pairs))


class Explainer:
    """Turns violations on one registry's tables into errors naming models and fields."""

    def __init__(self, registry: Registry, metadata: sa.MetaData,
                 exists: Callable[[ModelMeta, Any], bool] | None = None) -> None:
        self.registry = registry
        self.metadata = metadata
        self.exists = exists  # asked only when the database named no column (SQLite)
        self._models = {meta.table: meta for meta in registry.models.values()
                        if meta.table and meta.kind != "proxy"}

    def error(self, error: sa.exc.DBAPIError, subject_model: str, record: Any | None,
              operation: str) -> IntegrityViolation:
        """The error to raise for `error`, raised by a write on `subject_model`."""
        raw = str(error.orig).strip().splitlines()[0][:300]
        log.info("the database refused a write on %s: %s", subject_model, raw)
        violation = read_violation(error)
        meta = self._models.get(violation.table or "") or self.registry.model(subject_model)
        columns = violation.columns or self._constraint_columns(meta, violation.constraint)
        if violation.kind == MISSING_PARENT and operation == "delete":
            violation.kind = REFERENCED  # SQLite says only "FOREIGN KEY constraint failed"
        if violation.kind == UNIQUE:
            return self._unique(meta, columns, violation.value, record)
        if violation.kind == NOT_NULL:
            names = self._fields(meta, columns)
            where = f"{meta.code}.{names[0]}" if names else meta.code
            return NotNullViolation(f"{where}: a value is required", model=meta.code,
                                    field=names[0] if names else None)
        if violation.kind == MISSING_PARENT:
            return self._missing_parent(meta, columns, violation.value, record)
        if violation.kind == REFERENCED:
            return self._referenced(subject_model, violation)
        return IntegrityViolation(f"{meta.code}: the database refused the write (a constraint "
                                  "of the model)", model=meta.code)

    def _unique(self, meta: ModelMeta, columns: tuple[str, ...], value: str | None,
                record: Any | None) -> IntegrityViolation:
        names = self._fields(meta, columns)
        if not names:
            return UniqueViolation(f"{meta.code}: the values of its unique fields are already "
                                   "used", model=meta.code)
        if len(names) > 1:  # a model's unique=[(...)]: the values are taken together
            shown = f" ({value})" if value is not None else ""   # the database's spelling
            held = [meta.fields[n].column if n in meta.fields else n for n in names]
            if record is not None and getattr(record, "_model_code", None) == meta.code \
                    and all(column in record._values for column in held):
                shown = " (" + ", ".join(repr(record._values[c]) for c in held) + ")"
            return UniqueViolation(f"{meta.code} ({', '.join(names)}): the values{shown} are "
                                   "already used together", model=meta.code,
                                   fields=tuple(names))
        field = meta.fields[names[0]]
        if record is not None and getattr(record, "_model_code", None) == meta.code:
            value = record._values.get(field.column, value)
        shown = f" {str(value)!r}" if value is not None else ""
        return UniqueViolation(f"{meta.code}.{field.name}: the value{shown} is already used",
                               model=meta.code, field=field.name)

    def _missing_parent(self, meta: ModelMeta, columns: tuple[str, ...], value: str | None,
                        record: Any | None) -> IntegrityViolation:
        candidates = [f for f in meta.many2ones if not columns or f.column in columns]
        if record is not None and len(candidates) > 1:
            candidates = [f for f in candidates if record._values.get(f.column) is not None]
        if record is not None and len(candidates) > 1 and self.exists is not None:
            candidates = [f for f in candidates if not self._exists(f.target,
                                                                   record._values[f.column])]
        if len(candidates) != 1:
            return ForeignKeyViolation(f"{meta.code}: a related record does not exist",
                                       model=meta.code)
        field = candidates[0]
        if value is None and record is not None:
            value = record._values.get(field.column)
        shown = f" {value}" if value is not None else ""
        return ForeignKeyViolation(f"{meta.code}.{field.name}: no {field.target} record has "
                                   f"id{shown}", model=meta.code, field=field.name)

    def _referenced(self, code: str, violation: Violation) -> IntegrityViolation:
        child = self._models.get(violation.table or "")
        references = [(child, f) for f in child.many2ones
                      if f.column in violation.columns] if child is not None else []
        if not references:  # SQLite does not say who refers: the RESTRICT references
            references = [(m, f) for m in self._models.values() for f in m.many2ones
                          if f.target == code and f.on_delete == "RESTRICT"]
        if len(references) == 1:
            model, field = references[0]
            return RecordReferenced(f"{code}: the record is still referenced by "
                                    f"{model.code}.{field.name}", model=code)
        return RecordReferenced(f"{code}: the record is still referenced by other records",
                                model=code)

    def _exists(self, target: str, key: Any) -> bool:
        try:
            return self.exists(self.registry.model(target), key)  # type: ignore[misc]
        except sa.exc.DBAPIError:
            return True  # cannot tell: keep it among the candidates

    def _constraint_columns(self, meta: ModelMeta, name: str | None) -> tuple[str, ...]:
        table = self.metadata.tables.get(meta.table or "")
        if table is None or not name:
            return ()
        for constraint in [*table.constraints, *table.indexes]:
            if constraint.name == name:
                return tuple(column.name for column in constraint.columns)
        return ()

    @staticmethod
    def _fields(meta: ModelMeta, columns: tuple[str, ...]) -> list[str]:
        by_column = {f.column: f.name for f in meta.fields.values() if f.stored}
        return [by_column.get(column, column) for column in columns]

