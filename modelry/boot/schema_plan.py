"""Schema changes: alembic compares the live database with the registry's tables.

The plan is a list of steps (alembic operations), each classified as an addition,
an alteration or a drop, and flagged destructive when it can lose data. EXTEND keeps
additions only; DIFF keeps everything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.migration import MigrationContext
from alembic.operations import ops

from modelry.boot.legacy_decimals import RewriteDecimalsOp, legacy_decimal_ops
from modelry.core.schema.json_type import JsonType

ADDITIONS = (ops.CreateTableOp, ops.AddColumnOp, ops.CreateIndexOp,
             ops.CreateUniqueConstraintOp, ops.CreateForeignKeyOp)
DROPS = (ops.DropTableOp, ops.DropColumnOp, ops.DropIndexOp, ops.DropConstraintOp)


@dataclass
class Step:
    """One schema operation on one table."""

    table: str
    operation: ops.MigrateOperation
    kind: str                       # rename | add | alter | convert | drop
    destructive: bool = False
    reason: str = ""

    def describe(self) -> str:
        """`add column demo_pet_shop.rating` and the like."""
        op = self.operation
        names = {ops.CreateTableOp: "create table", ops.DropTableOp: "drop table",
                 ops.AddColumnOp: "add column", ops.DropColumnOp: "drop column",
                 ops.AlterColumnOp: "alter column", RenameColumnOp: "rename column",
                 ReplaceIndexOp: "replace index", RewriteDecimalsOp: "rewrite decimals",
                 ops.CreateIndexOp: "create index",
                 ops.DropIndexOp: "drop index", ops.CreateUniqueConstraintOp: "add unique",
                 ops.CreateForeignKeyOp: "add foreign key", ops.DropConstraintOp: "drop constraint"}
        what = names.get(type(op), type(op).__name__)
        column = getattr(op, "column_name", None) or getattr(getattr(op, "column", None),
                                                             "name", None)
        detail = getattr(op, "index_name", None) or getattr(op, "constraint_name", None)
        target = f"{self.table}.{column}" if column else self.table
        if isinstance(op, RenameColumnOp):
            target += f" → {op.modify_name}"
        extra = f" ({detail})" if detail and not column else ""
        return f"{what} {target}{extra}" + (f": {self.reason}" if self.reason else "")


@dataclass
class SchemaPlan:
    """The steps to bring the database to the registry's tables."""

    steps: list[Step] = field(default_factory=list)
    left_out: list[Step] = field(default_factory=list)    # not in this build mode (EXTEND)

    @property
    def destructive(self) -> list[Step]:
        """Steps that can lose data."""
        return [step for step in self.steps if step.destructive]

    def tables_created(self) -> int:
        """How many tables the plan creates."""
        return sum(isinstance(s.operation, ops.CreateTableOp) for s in self.steps)

    def tables_altered(self) -> int:
        """How many existing tables the plan changes."""
        return len({s.table for s in self.steps if not isinstance(s.operation, ops.CreateTableOp)
                    and s.table not in self._created()})

    def _created(self) -> set[str]:
        return {s.table for s in self.steps if isinstance(s.operation, ops.CreateTableOp)}


def _compare_type(context: Any, inspected: Any, metadata_column: Any, inspected_type: Any,
                  metadata_type: Any) -> bool | None:
    """Ignore differences that are only how a dialect spells one type."""
    dialect = context.dialect.name
    declared = metadata_type
    if isinstance(declared, JsonType):
        if dialect == "mysql" and type(inspected_type).__name__ in ("LONGTEXT", "JSON"):
            return False
        return None if dialect != "sqlite" else False
    if isinstance(declared, sa.Boolean) and dialect == "mysql":
        return type(inspected_type).__name__ not in ("TINYINT", "BOOLEAN", "BOOL")
    if dialect == "sqlite" and metadata_column.primary_key:
        return False
    return None


def compute_schema_plan(connection: sa.Connection, metadata: sa.MetaData, *, mode: str,
                        known_tables: set[str]) -> SchemaPlan:
    """Compare the live database with `metadata`; keep the steps `mode` allows.

    Only tables of `metadata`, or tables modelry created before (`known_tables`), are
    compared: other tables in the database are never touched.
    """
    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name in metadata.tables or name in known_tables
        return True

    context = MigrationContext.configure(connection, opts={
        "compare_type": _compare_type, "compare_server_default": False,
        "include_object": include, "target_metadata": metadata})
    plan = SchemaPlan()
    converts = [Step(op.table_name, op, "convert", reason=f"{len(op.updates)} stored as numbers")
                for op in legacy_decimal_ops(connection, metadata)]  # after every other step
    for step in _steps(_upgrade_operations(context, metadata), connection) + converts:
        if mode == "EXTEND" and step.kind == "rename":
            plan.steps.append(_classify(step.table, step.operation.added))
            plan.left_out.append(step)
        elif mode == "EXTEND" and step.kind not in ("add", "convert"):
            plan.left_out.append(step)
        elif mode != "NEVER":
            plan.steps.append(step)
    return plan


def _upgrade_operations(context: MigrationContext, metadata: sa.MetaData) -> list[Any]:
    """alembic's upgrade operations, without computing the downgrade we never use."""
    try:
        from alembic.autogenerate.api import AutogenContext
        from alembic.autogenerate.compare import _produce_net_changes
    except ImportError:  # a future alembic without the private helper
        return produce_migrations(context, metadata).upgrade_ops.ops
    upgrade = ops.UpgradeOps(ops=[])
    _produce_net_changes(AutogenContext(context, metadata), upgrade)
    return upgrade.ops


def _steps(operations: list[Any], connection: sa.Connection) -> list[Step]:
    steps: list[Step] = []
    for op in operations:
        if isinstance(op, ops.ModifyTableOps):
            steps.extend(_classify(op.table_name, sub)
                         for sub in _replaced_indexes(_renames(op.table_name, op.ops)))
        else:
            steps.append(_classify(getattr(op, "table_name", ""), op))
    order = {"rename": 0, "add": 1, "alter": 2, "drop": 3}
    creates = [s for s in steps if isinstance(s.operation, ops.CreateTableOp)]
    drops = [s for s in steps if isinstance(s.operation, ops.DropTableOp)]
    rest = [s for s in steps if s not in creates and s not in drops]
    return _tables_in_dependency_order(creates) + sorted(rest, key=lambda s: order[s.kind]) + drops


def _tables_in_dependency_order(creates: list[Step]) -> list[Step]:
    by_name = {s.table: s for s in creates}
    ordered: list[Step] = []
    placed: set[str] = set()

    def place(step: Step) -> None:
        if step.table in placed:
            return
        placed.add(step.table)
        for column in step.operation.columns:
            if isinstance(column, sa.ForeignKeyConstraint):
                parent = column.elements[0].target_fullname.split(".")[0]
                if parent in by_name:
                    place(by_name[parent])
        ordered.append(step)

    for step in creates:
        place(step)
    return ordered


def _renames(table: str, operations: list[Any]) -> list[Any]:
    """A dropped column and an added one whose field was `renamed_from` it become one
    rename (the data stays); other operations pass through."""
    dropped = {op.column_name: op for op in operations if isinstance(op, ops.DropColumnOp)}
    renamed: dict[int, Any] = {}
    for op in operations:
        previous = op.column.info.get("renamed_from") if isinstance(op, ops.AddColumnOp) \
            else None
        if previous in dropped:
            column = op.column
            renamed[id(dropped.pop(previous))] = None
            rename = RenameColumnOp(
                table, previous, modify_name=column.name, existing_type=column.type,
                existing_nullable=column.nullable,
                existing_server_default=column.server_default or False)
            rename.added = op
            renamed[id(op)] = rename
    return [renamed.get(id(op), op) for op in operations if renamed.get(id(op), op) is not None]


def _stored_type(type_: Any) -> Any:
    """The type a TypeDecorator (DecimalType, JsonType) stores its values as."""
    return type_.impl_instance if isinstance(type_, sa.types.TypeDecorator) else type_


class RenameColumnOp(ops.AlterColumnOp):
    """`alter_column(new_column_name=...)`, told apart from other alterations; `added` is
    the column addition it replaces (what EXTEND, which alters nothing, does instead)."""

    added: ops.AddColumnOp


class ReplaceIndexOp(ops.MigrateOperation):
    """An index dropped and created again under its name, because its definition changed
    (such as `NULLS FIRST` on PostgreSQL, or a unique constraint there becoming a unique
    index that keeps NULLs first): one alteration, so EXTEND leaves it out whole and DIFF
    drops the old index before it creates the new one."""

    def __init__(self, drop: Any, create: Any) -> None:
        self.drop, self.create = drop, create
        self.index_name, self.table_name = _index_name(create), create.table_name


REPLACEABLE_DROPS = (ops.DropIndexOp, ops.DropConstraintOp)
REPLACEABLE_CREATES = (ops.CreateIndexOp, ops.CreateUniqueConstraintOp)


def _index_name(op: Any) -> str | None:
    """The name of the index, or the unique constraint (it has an index), `op` drops or
    creates; None for other operations (a foreign key's, a check's)."""
    if isinstance(op, (ops.DropIndexOp, ops.CreateIndexOp)):
        return op.index_name
    if isinstance(op, ops.CreateUniqueConstraintOp) or (
            isinstance(op, ops.DropConstraintOp) and op.constraint_type == "unique"):
        return op.constraint_name
    return None


def _replaced_indexes(operations: list[Any]) -> list[Any]:
    """A dropped index (or unique constraint) created again under its name becomes one
    ReplaceIndexOp."""
    created = {_index_name(op): op for op in operations
               if isinstance(op, REPLACEABLE_CREATES)}
    replaced = {_index_name(op): ReplaceIndexOp(op, created[_index_name(op)])
                for op in operations if isinstance(op, REPLACEABLE_DROPS)
                and _index_name(op) is not None and _index_name(op) in created}
    kept: list[Any] = []
    for op in operations:
        name = _index_name(op)
        if isinstance(op, REPLACEABLE_DROPS) and name in replaced:
            kept.append(replaced[name])
        elif not (isinstance(op, REPLACEABLE_CREATES) and name in replaced):
            kept.append(op)
    return kept


def _classify(table: str, op: Any) -> Step:
    if isinstance(op, RenameColumnOp):
        return Step(table, op, "rename")
    if isinstance(op, ADDITIONS):
        return Step(table, op, "add")
    if isinstance(op, (ops.DropTableOp, ops.DropColumnOp)):
        return Step(table, op, "drop", True, "its data is lost")
    if isinstance(op, DROPS):
        return Step(table, op, "drop")
    if isinstance(op, ops.AlterColumnOp):
        narrowing = _narrowing(op.existing_type, op.modify_type)
        return Step(table, op, "alter", bool(narrowing), narrowing)
    return Step(table, op, "alter")


def _narrowing(old: Any, new: Any) -> str:
    """Why changing `old` to `new` can lose data ('' when it cannot)."""
    if old is None or new is None:
        return ""
    old, new = _stored_type(old), _stored_type(new)
    old_length, new_length = getattr(old, "length", None), getattr(new, "length", None)
    if isinstance(new, sa.String) and not isinstance(new, sa.Text):
        if isinstance(old, sa.Text) and not isinstance(old, sa.String) or (
                old_length is None and isinstance(old, sa.String)):
            return "text becomes bounded"
        if old_length and new_length and new_length < old_length:
            return f"length {old_length} → {new_length}"
    if isinstance(old, sa.Numeric) and isinstance(new, sa.Numeric):
        if (new.precision or 0) < (old.precision or 0) or (new.scale or 0) < (old.scale or 0):
            return f"numeric({old.precision},{old.scale}) → ({new.precision},{new.scale})"
    if isinstance(old, sa.BigInteger) and isinstance(new, sa.Integer) and \
            not isinstance(new, sa.BigInteger):
        return "BIGINT → INTEGER"
    if isinstance(new, sa.Text) or isinstance(old, sa.Integer) and isinstance(new, sa.BigInteger):
        return ""  # widening
    if old._type_affinity is not new._type_affinity:
        return f"type {old} → {new}"
    return ""
