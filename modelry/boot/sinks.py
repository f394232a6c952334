"""The two sinks of one boot plan: execute it on a connection, or print it as a script.

Both walk the same steps through alembic's `Operations`; only the migration context
differs (a live connection, or `as_sql` with literal values into a buffer). The same
goes for the metadata statements and the data plans (`modelry.boot.data_plan`): INSTALL
executes those very statements, DDL renders them here with literal values.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations, ops

from modelry.boot.data_plan import ModuleDataPlan
from modelry.boot.legacy_decimals import RewriteDecimalsOp
from modelry.boot.schema_plan import RenameColumnOp, ReplaceIndexOp, SchemaPlan, Step

# On SQLite these need a table rebuild (alembic batch mode)
SQLITE_BATCH = (ops.AlterColumnOp, ops.DropColumnOp, ops.CreateUniqueConstraintOp,
                ops.CreateForeignKeyOp, ops.DropConstraintOp)
TABLE_OPS = (ops.CreateTableOp, ops.DropTableOp)
# renamed in place, before a table's rebuild; decimals rewritten after it
UNBATCHED = (*TABLE_OPS, RenameColumnOp, RewriteDecimalsOp)


@Operations.implementation_for(RenameColumnOp)
def _rename_column(operations: Operations, op: RenameColumnOp) -> None:
    """SQLite (3.25+) renames a column in place: no rebuild, indexes and keys follow."""
    if operations.impl.dialect.name != "sqlite":
        operations.impl.alter_column(
            op.table_name, op.column_name, name=op.modify_name,
            existing_type=op.existing_type, existing_nullable=op.existing_nullable,
            existing_server_default=op.existing_server_default)
        return
    quote = operations.impl.dialect.identifier_preparer.quote
    operations.execute(f"ALTER TABLE {quote(op.table_name)} RENAME COLUMN "
                       f"{quote(op.column_name)} TO {quote(op.modify_name)}")


@Operations.implementation_for(ReplaceIndexOp)
def _replace_index(operations: Operations, op: ReplaceIndexOp) -> None:
    """Drop the old index, then create the new one under the same name."""
    operations.invoke(op.drop)
    operations.invoke(op.create)


def _groups(steps: list[Step], dialect: str) -> Iterable[tuple[str | None, list[Step]]]:
    """Steps in order; on SQLite, every step on a table that needs a rebuild goes into
    one group (placed at the table's first step), so the rebuilt copy keeps the columns
    and indexes added in the same plan (offline, `copy_from` is the table before the plan).
    """
    rebuilt = {step.table for step in steps
               if dialect == "sqlite" and isinstance(step.operation, SQLITE_BATCH)}
    batched: dict[str, list[Step]] = {}
    for step in steps:
        if step.table in rebuilt and not isinstance(step.operation, UNBATCHED):
            if step.table not in batched:
                batched[step.table] = []
                yield step.table, batched[step.table]
            batched[step.table].append(step)
        else:
            yield None, [step]


def _invoke(operations: Operations, steps: list[Step], dialect: str,
            reflect: Callable[[str], sa.Table],
            progress: Callable[[int], None] | None = None) -> None:
    groups = list(_groups(steps, dialect))  # batch groups fill up while this runs
    for table, group in groups:
        if progress is not None:
            progress(len(group))
        if table is None:
            operations.invoke(group[0].operation)
            continue
        with operations.batch_alter_table(table, copy_from=reflect(table),
                                          recreate="always") as batch:
            for step in group:
                batch.invoke(step.operation)


def execute(connection: sa.Connection, plan: SchemaPlan, statements: list[Any],
            progress: Callable[[int], None] | None = None) -> None:
    """Apply the schema steps and then the metadata statements on `connection`.

    `progress(n)` is called as each group of n steps starts.
    """
    operations = Operations(MigrationContext.configure(connection))
    _invoke(operations, plan.steps, connection.dialect.name,
            lambda table: sa.Table(table, sa.MetaData(), autoload_with=connection), progress)
    for statement in statements:
        connection.execute(statement)


def render(connection: sa.Connection, plan: SchemaPlan, statements: list[Any], *,
           header: list[str], allow_destructive: bool,
           data: Sequence[ModuleDataPlan] = (), stamp: Sequence[Any] = ()) -> str:
    """The plan as a SQL script for `connection`'s dialect; nothing is executed.

    Sections in the order INSTALL runs them: schema, metadata (`statements`), each
    module's `data`, then `stamp` (the schema fingerprint, last: a script that stops half
    way leaves the database unstamped, and RELOAD refuses it).
    """
    dialect = connection.dialect
    out = io.StringIO()
    out.writelines(f"-- {line}\n" for line in header)
    kept = [s for s in plan.steps if allow_destructive or not s.destructive]
    refused = [s for s in plan.steps if s not in kept]
    writes = bool(kept or statements or stamp or any(p.statements for p in data))
    if not plan.steps and not writes:
        out.write("-- no changes: the database already matches the code\n")
        return out.getvalue()
    # no BEGIN/COMMIT around a script whose only changes are commented out
    transactional = dialect.name == "postgresql" and writes
    if transactional:
        out.write("BEGIN;\n\n")
    renames = {(s.table, s.operation.column_name): s.operation.modify_name
               for s in kept if isinstance(s.operation, RenameColumnOp)}

    def reflect(table: str) -> sa.Table:
        live = sa.Table(table, sa.MetaData(), autoload_with=connection)
        names = {old: new for (owner, old), new in renames.items() if owner == table}
        return _renamed(live, names) if names else live

    if kept:
        out.write("-- schema\n")
        out.write(_offline(dialect, lambda o: _invoke(o, kept, dialect.name, reflect)))
    if refused:
        out.write("-- destructive changes, left out (boot with --allow-destructive to include):\n")
        for step in refused:
            out.write(f"-- {step.describe()}\n")
            text = _offline(dialect, lambda o, s=step: _invoke(o, [s], dialect.name, reflect))
            out.writelines(f"-- {line}\n" for line in text.strip().splitlines())
    if statements:
        out.write("\n-- metadata\n")
        out.write(_statements(dialect, statements))
    for module in data:
        if module.statements:
            out.write(_data_section(dialect, module))
    if stamp:
        out.write("\n-- schema fingerprint\n")
        out.write(_statements(dialect, stamp))
    if transactional:
        out.write("\nCOMMIT;\n")
    return out.getvalue().rstrip("\n") + "\n"


def _data_section(dialect: sa.Dialect, module: ModuleDataPlan) -> str:
    """A module's data rows, each entry under a comment naming it."""
    report = module.report
    out = io.StringIO()
    out.write(f"\n-- data of module {module.module}: {report.created} new, "
              f"{report.updated} updated, {report.skipped} unchanged or no-update\n")
    for step in module.steps:
        if step.statements:
            out.write(f"-- {step.describe(module.module)}\n")
            out.write(_statements(dialect, step.statements))
    return out.getvalue()


def _statements(dialect: sa.Dialect, statements: Sequence[Any]) -> str:
    """DML with literal values. INSERTs are inline: no RETURNING for psql to print."""
    return _offline(dialect, lambda o: [
        o.execute(s.inline() if isinstance(s, sa.Insert) else s) for s in statements])


def _renamed(table: sa.Table, names: dict[str, str]) -> sa.Table:
    """A copy of reflected `table` as it is once its columns are renamed (`names`: old →
    new), for rebuilding it offline after the renames the script does first."""
    def name(column: Any) -> str:
        key = column if isinstance(column, str) else column.name
        return names.get(key, key)

    items: list[Any] = [sa.Column(name(c), c.type, nullable=c.nullable,
                                  primary_key=c.primary_key, server_default=c.server_default)
                        for c in table.columns]
    items += [sa.ForeignKeyConstraint([name(c) for c in fk.column_keys],
                                      [e.target_fullname for e in fk.elements],
                                      name=fk.name, ondelete=fk.ondelete)
              for fk in table.foreign_key_constraints]
    items += [sa.UniqueConstraint(*(name(c) for c in unique.columns), name=unique.name)
              for unique in table.constraints if isinstance(unique, sa.UniqueConstraint)]
    copy = sa.Table(table.name, sa.MetaData(), *items)
    for index in table.indexes:
        sa.Index(index.name, *(copy.c[name(c)] for c in index.columns), unique=index.unique)
    return copy


def _offline(dialect: sa.Dialect, emit: Callable[[Operations], Any]) -> str:
    buffer = io.StringIO()
    context = MigrationContext.configure(dialect=dialect, opts={
        "as_sql": True, "output_buffer": buffer, "literal_binds": True})
    emit(Operations(context))
    return buffer.getvalue()
