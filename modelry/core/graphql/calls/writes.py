"""The write built-ins (`create`, `update`, `delete`) over the data manager: the one
place their rules run, for the general executor, the compiled path and the admin.

They run with BUILT_ACTION set, as Oinone's gateway does; `data` is what a client sent,
read by attribute (a strawberry input, or the compiled path's coerced arguments).
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Collection

from modelry import directives
from modelry.core.data.deletes import distinct_by_id
from modelry.core.data.rows import as_stored
from modelry.core.data.written import answer_from_values, holds_as_stored
from modelry.core.functions.pipeline import invoke
from modelry.core.graphql.calls.inputs import to_record
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError, OptimisticLockError


def _bits(add: Directive = Directive(0), remove: Directive = Directive(0)
          ) -> AbstractContextManager[Directive]:
    bits = int.__and__(int.__or__(directives.current(), add), ~int(remove))  # (ints: see
    return directives.scope(directives.member(bits))                         # state.py)


def create_builtin(app: Any, meta: ModelMeta, data: Any,
                   selected: Collection[str] | None = None) -> Any:
    """The `create` built-in: a new record of `meta` from `data` (the values a client sent,
    read by attribute), refused values checked first. GraphQL and the admin call it.
    Returns the record written, as its INSERT returned it: all of its row, or only its id
    when the caller names the attributes it will read (`selected`) and the values sent
    hold them as stored (data/written.py). Hooks after the write may change it."""
    record = to_record(app.registry, meta, data, "create")
    if selected is not None:
        answer_from_values(meta, record, selected, app.data.write_transforms)
    with _bits(add=Directive.BUILT_ACTION):
        return invoke(meta.code, "create", "CREATE", lambda r: r.create(), (record,), {},
                      builtin=True)


def update_builtin(app: Any, meta: ModelMeta, data: Any,
                   selected: Collection[str] | None = None) -> Any:
    """The `update` built-in: write the values `data` sends to the record it names by id;
    RECORD_NOT_FOUND when it is gone or outside the caller's rules, OptimisticLockError
    when the version it carries is stale. Returns the record as stored, or, when the
    caller names the attributes it will read (`selected`) and the write itself holds them,
    the record written."""
    record = to_record(app.registry, meta, data, "update")
    if record.id is None:
        raise DataError(f"{meta.code}: update needs the record's id", code="ID_REQUIRED",
                        model=meta.code, field="id")
    if selected is not None:
        answer_from_values(meta, record, selected, app.data.write_transforms)
    with _bits(add=Directive.BUILT_ACTION):
        if invoke(meta.code, "update", "UPDATE", lambda r: r.update_by_id(), (record,),
                  {}, builtin=True):
            return _stored(app, meta, record, selected)
        rule = app.data.row_rule(meta, "update")
        if meta.cls.query_by_id(record.id) is None or not meta.optimistic_lock or (
                rule is not None and meta.cls.count(id=record.id) and not
                _updatable(app, meta, record.id)):
            raise DataError(f"{meta.code}: no record with id {record.id}",
                            code="RECORD_NOT_FOUND", model=meta.code, field="id")
        raise OptimisticLockError(
            f"{meta.code}: record {record.id} was changed by someone else since you "
            f"read it (your optVersion {record.opt_version} is stale); reload and retry",
            model=meta.code, stale_ids=[record.id])


def delete_builtin(app: Any, meta: ModelMeta, data_list: Any) -> list[Any]:
    """The `delete` built-in: delete every record `data_list` names by id, or none
    (RECORD_NOT_FOUND when one is missing). Returns the records named."""
    records = [to_record(app.registry, meta, item) for item in data_list]
    missing = [index for index, r in enumerate(records) if r.id is None]
    if missing:
        raise DataError(f"{meta.code}: delete needs an id in every item "
                        f"(missing at {missing})", code="ID_REQUIRED", model=meta.code,
                        field="id")
    records = list(distinct_by_id(meta, records).values())
    with _bits(add=Directive.BUILT_ACTION):
        deleted = invoke(meta.code, "delete", "DELETE", meta.cls.delete_batch,
                         (records,), {}, builtin=True)
    if deleted != len(records):
        raise DataError(f"{meta.code}: some of the records to delete do not exist; "
                        "nothing was deleted", code="RECORD_NOT_FOUND", model=meta.code)
    return records


def _stored(app: Any, meta: ModelMeta, record: Any, selected: Collection[str] | None) -> Any:
    """The updated record as the caller reads it: the row its UPDATE returned (PostgreSQL,
    SQLite) unless a read rule applies, else read again (MariaDB has no UPDATE RETURNING),
    unless every attribute `selected` is one the write set as it is stored and the write
    returned nothing (data/written.py)."""
    if app.data.row_rule(meta, "read") is not None:
        return meta.cls.query_by_id(record.id)
    stored = as_stored(meta, record)
    if stored is None and selected is not None and holds_as_stored(
            meta, record, selected, app.data.write_transforms):
        return record
    return stored if stored is not None else meta.cls.query_by_id(record.id)


def _updatable(app: Any, meta: ModelMeta, identifier: Any) -> bool:
    """True when the caller's update rule admits the record."""
    from modelry.core.data.write import permitted_ids
    with app.data.connection() as connection:
        return bool(permitted_ids(app.data, connection, meta, "update", [int(identifier)]))
