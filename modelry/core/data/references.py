"""References kept without a database foreign key (`ManyToOne(..., constraint=False)`).

A foreign key checks every inserted row with a trigger; on a table written a thousand
rows at a time that costs more than the insert. For such a relation the data manager
checks once per statement instead, for the distinct ids the rows name, and keeps the
guarantees a foreign key gives:

- a write naming a record that does not exist is refused (ForeignKeyViolation, naming
  the model, field and id; rows this transaction locked or bulk-inserted are not checked:
  they exist until it ends, `Transaction.hold`); the targets found are locked against
  deletion until the transaction ends (`FOR KEY SHARE` on PostgreSQL, `FOR SHARE` on
  MariaDB; SQLite's write lock already keeps other writers out), as the foreign key's
  trigger would;
- a delete of a record still referenced is refused (RecordReferenced), checked after its
  DELETE, when the rows it removed are locked: a writer that checked a target before the
  delete has committed its rows by then, so the check sees them, and one that checks after
  finds the target gone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from modelry.core.data import transaction
from modelry.core.fields import ManyToOne
from modelry.core.registry import ModelMeta
from modelry.core.schema.among import among
from modelry.errors import ForeignKeyViolation, RecordReferenced


def unconstrained(meta: ModelMeta) -> list[ManyToOne]:
    """`meta`'s ManyToOne fields kept without a foreign key."""
    return [field for field in meta.many2ones if not field.constraint]


def check_targets(manager: Any, connection: sa.Connection, meta: ModelMeta,
                  rows: Iterable[Mapping[str, Any]]) -> None:
    """Refuse rows (column → value) naming a missing record through a relation kept
    without a foreign key; lock the records they name against deletion."""
    fields = unconstrained(meta)
    if not fields:
        return
    rows = list(rows)
    active = transaction.current()
    for field in fields:
        column = field.column
        wanted = {row.get(column) for row in rows}
        wanted.discard(None)
        if active is not None and active.connection is connection:
            wanted = {key for key in wanted if not active.holds(field.target, key)}
        if not wanted:
            continue
        target = manager.table(manager.registry.model(field.target))
        query = sa.select(target.c.id).where(id_among(target.c.id, sorted(map(int, wanted)),
                                                      connection))
        found = set(connection.scalars(_locking(query, connection, key_share=True)).all())
        missing = sorted(wanted - found)
        if missing:
            raise ForeignKeyViolation(f"{meta.code}.{field.name}: no {field.target} record "
                                      f"has id {missing[0]}", model=meta.code,
                                      field=field.name)


def referrers(manager: Any, meta: ModelMeta) -> list[tuple[ModelMeta, ManyToOne]]:
    """The stored models' relations to `meta` kept without a foreign key."""
    return [(model, field) for model in manager.registry.models.values() if model.stored
            for field in unconstrained(model) if field.target == meta.code]


def check_unreferenced(manager: Any, connection: sa.Connection, meta: ModelMeta,
                       ids: list[Any]) -> None:
    """After deleting `ids` of `meta`: refuse when a relation kept without a foreign key
    still names one of them."""
    if not ids:
        return
    for model, field in referrers(manager, meta):
        child = manager.table(model)
        query = sa.select(child.c.id).where(child.c[field.column].in_(ids)).limit(1)
        if connection.execute(_locking(query, connection)).first() is not None:
            raise RecordReferenced(f"{meta.code}: the record is still referenced by "
                                   f"{model.code}.{field.name}", model=meta.code)


def id_among(column: sa.ColumnElement[Any], ids: list[int], connection: sa.Connection
             ) -> sa.ColumnElement[bool]:
    """`column IN ids`, as `schema.among` writes it for the connection's database."""
    return among(column, ids, connection.dialect.name)


def _locking(query: sa.Select[Any], connection: sa.Connection,
             key_share: bool = False) -> sa.Select[Any]:
    """A locking read (it sees the latest committed rows), where the database has one."""
    if connection.dialect.name == "sqlite":
        return query
    if connection.dialect.name == "postgresql":
        return query.with_for_update(read=True, key_share=key_share)
    return query.with_for_update(read=True)
