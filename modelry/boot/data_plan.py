"""Plan a module's data files: what each entry does (create, update, skip) and its SQL.

The planner reads the database as it is (the install registry, the records it names,
their links) with plain SELECTs of the columns that exist, so it works before a DDL
script has added any table or column, and it remembers what it planned: a later
module's refs reach the records an earlier module's plan creates. INSTALL executes the
plan (`modelry.boot.data_files.load_module_data`); DDL prints it (`modelry.boot.sinks`).
The rules each entry follows are described in `modelry.boot.data_files`.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.boot.data_errors import DataFileError
from modelry.boot.data_formats import DataEntry
from modelry.boot.data_statements import REGISTRY_MODEL, DataStatements
from modelry.boot.data_values import TO_MANY, EntryValues, Registered, Target
from modelry.core.data.rows import to_record
from modelry.core.fields import ManyToMany, OneToMany
from modelry.core.module import Module
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError, ValidationFailed

# back-end directives plus: locked models are updated without a held version, values are
# checked, declared defaults fill new records
LOAD_DIRECTIVES = (Directive.UNLOCK, Directive.CHECK, Directive.DEFAULT_VALUE)


@dataclass(frozen=True)
class DataLoadReport:
    """What a load did: records created, updated, and skipped (no-update or unchanged)."""

    created: int = 0
    updated: int = 0
    skipped: int = 0

    def __add__(self, other: "DataLoadReport") -> "DataLoadReport":
        if not isinstance(other, DataLoadReport):
            return NotImplemented
        return DataLoadReport(self.created + other.created, self.updated + other.updated,
                              self.skipped + other.skipped)

    @property
    def total(self) -> int:
        """Entries processed."""
        return self.created + self.updated + self.skipped


@dataclass
class EntryStep:
    """One entry's decision (create, recreate, update, skip) and the statements doing it."""

    file: str
    entry: DataEntry
    model: str
    action: str
    statements: list[Any] = field(default_factory=list)

    def describe(self, module: str) -> str:
        """`demo.breed_persian (demo.PetBreed): create, data/breeds.yaml line 5`."""
        where = f"{self.file} line {self.entry.line}" if self.entry.line else self.file
        action = "marked no-update" if self.action == "skip" and self.statements \
            else self.action
        return f"{module}.{self.entry.external_id} ({self.model}): {action}, {where}"


@dataclass
class ModuleDataPlan:
    """The steps of one module's data files, in file and entry order."""

    module: str
    mode: str
    steps: list[EntryStep] = field(default_factory=list)

    @property
    def report(self) -> DataLoadReport:
        """The counts the plan produces once executed."""
        actions = [step.action for step in self.steps]
        return DataLoadReport(created=actions.count("create") + actions.count("recreate"),
                              updated=actions.count("update"), skipped=actions.count("skip"))

    @property
    def statements(self) -> list[Any]:
        """Every statement, in order."""
        return [statement for step in self.steps for statement in step.statements]

    @property
    def models(self) -> set[str]:
        """Codes of the models whose records the plan writes (the registry's included)."""
        written = {step.model for step in self.steps if step.action != "skip"}
        return written | ({REGISTRY_MODEL} if self.statements else set())


class DataPlanner:
    """Plans module data against the database `connection` sees, for `app`'s code."""

    def __init__(self, app: Any, connection: sa.Connection) -> None:
        self.app = app
        self.registry = app.registry
        self.connection = connection
        self.sql = DataStatements(app, connection.dialect.name)
        self.inspector = sa.inspect(connection)
        self.tables = set(self.inspector.get_table_names())
        self._columns: dict[str, set[str]] = {}
        self.rows: dict[tuple[str, str], Registered | None] = {}
        self.read_modules: set[str] = set()

    def plan(self, module: Module, files: list[tuple[str, list[DataEntry]]],
             mode: str) -> ModuleDataPlan:
        """The plan of `module`'s parsed data `files`; raises DataFileError on any problem."""
        self._read_registry(module.name)
        plan = ModuleDataPlan(module.name, mode)
        with directives.scope(*LOAD_DIRECTIVES):
            for file, entries in files:
                for entry in entries:
                    plan.steps.append(_EntryPlanner(self, module, file, entry).plan())
        return plan

    # ── what the database holds ─────────────────────────────────────────────
    def live_columns(self, table: str) -> set[str]:
        """The columns `table` has in the database (none when it has no such table)."""
        if table not in self.tables:
            return set()
        if table not in self._columns:
            self._columns[table] = {c["name"] for c in self.inspector.get_columns(table)}
        return self._columns[table]

    def lookup(self, module: str, local: str) -> Registered | None:
        """The registry row of `module.local`: planned, or read from the database."""
        key = (module, local)
        if key not in self.rows and module not in self.read_modules:
            self.rows[key] = self._registry_row(
                self.sql.registry_table.c.module == module,
                self.sql.registry_table.c.external_id == local).get(key)
        return self.rows.get(key)

    def _read_registry(self, module: str) -> None:
        if module not in self.read_modules:
            self.rows.update(self._registry_row(self.sql.registry_table.c.module == module))
            self.read_modules.add(module)

    def _registry_row(self, *where: Any) -> dict[tuple[str, str], Registered]:
        table = self.sql.registry_table
        if table.name not in self.tables:
            return {}
        query = sa.select(table.c.id, table.c.module, table.c.external_id, table.c.model,
                          table.c.res_id, table.c.noupdate).where(*where)
        return {(row.module, row.external_id): Registered(row.model, int(row.res_id),
                                                          bool(row.noupdate), int(row.id))
                for row in self.connection.execute(query)}

    def record(self, meta: ModelMeta, record_id: int) -> Any:
        """The stored record (its columns that exist), or None when it is gone."""
        table = self.app.data.table(meta)
        live = self.live_columns(table.name)
        if not live:
            return None
        row = self.connection.execute(sa.select(*(c for c in table.c if c.name in live))
                                      .where(table.c.id == record_id)).first()
        return None if row is None else to_record(meta, row)

    def linked_ids(self, meta: ModelMeta, relation: Any, record_id: int) -> set[int]:
        """Ids the record's to-many `relation` links now."""
        if isinstance(relation, ManyToMany):
            join = self.app.data.join_table(relation)
            source, other = relation.source_column, relation.target_column
            if not {source, other} <= self.live_columns(join.name):
                return set()
            return set(self.connection.scalars(sa.select(join.c[other]).where(
                join.c[source] == record_id)))
        assert isinstance(relation, OneToMany)
        target = self.registry.model(relation.target)
        table, column = self.app.data.table(target), target.field(relation.inverse).column
        if column not in self.live_columns(table.name):
            return set()
        return set(self.connection.scalars(sa.select(table.c.id).where(
            table.c[column] == record_id)))


class _EntryPlanner:
    """Decides and builds one entry's step."""

    def __init__(self, planner: DataPlanner, module: Module, file: str,
                 entry: DataEntry) -> None:
        self.planner = planner
        self.sql = planner.sql
        self.module = module
        self.file = file
        self.entry = entry
        self.values = EntryValues(planner.registry, module, planner.lookup, self.fail)

    def plan(self) -> EntryStep:
        """Create, re-create, update or skip the entry's record."""
        entry = self.entry
        meta = self.values.model(entry)
        values = self.values.convert(meta, entry)
        key = (self.module.name, entry.external_id)
        row = self.planner.rows.get(key)
        step = EntryStep(self.file, entry, meta.code, "create")
        with self._context(meta):
            if row is None:
                step.statements = [self.sql.insert(meta, values), self.sql.register(
                    self.module.name, entry.external_id, meta, entry.noupdate)]
                self.planner.rows[key] = Registered(meta.code, None, entry.noupdate)
                step.statements += self._links(meta, values, linked={})
                return step
            if row.model != meta.code:
                raise self.fail(f"this id was loaded as a {row.model} record; an external "
                                "id cannot change model", model=meta.code, code="MODEL_CHANGED")
            if entry.noupdate and not row.noupdate and row.row_id is not None:
                row.noupdate = True  # once a file says no-update, the record stays so
                step.statements.append(self.sql.mark_noupdate(row.row_id))
            current = None if row.record_id is None else self.planner.record(meta,
                                                                              row.record_id)
            if current is None and row.row_id is not None:  # deleted since it was loaded
                step.action = "recreate"                        # (Odoo brings it back too)
                step.statements += [self.sql.insert(meta, values),
                                    self.sql.repoint(row.row_id, meta)]
                row.record_id = None
                step.statements += self._links(meta, values, linked={})
                return step
            step.action = "skip"
            if row.noupdate or current is None:
                return step
            linked = {name: self.planner.linked_ids(meta, meta.fields[name], current.id)
                      for name in values if isinstance(meta.fields[name], TO_MANY)}
            changes = self._changes(meta, current, values, linked)
            if changes:
                step.action = "update"
                step.statements.append(self.sql.update(meta, current.id, changes))
                step.statements += self._links(meta, changes, linked=linked)
            return step

    def _links(self, meta: ModelMeta, values: dict[str, Any],
               linked: dict[str, set[int]]) -> list[Any]:
        """Statements making the record's to-many `values` its links (`linked`: now)."""
        owner_id = self.planner.rows[(self.module.name, self.entry.external_id)].record_id
        owner = Target(self.module.name, self.entry.external_id, owner_id)
        statements = []
        for name, value in values.items():
            relation = meta.fields[name]
            if isinstance(relation, TO_MANY):
                statements += self.sql.links(meta, owner, relation, value,
                                             linked.get(name, set()))
        return statements

    @staticmethod
    def _changes(meta: ModelMeta, current: Any, values: dict[str, Any],
                 linked: dict[str, set[int]]) -> dict[str, Any]:
        """The given values that differ from the stored record's; a ref to a record the
        plan creates always differs."""
        changes = {}
        for name, value in values.items():
            field = meta.fields[name]
            if name in linked:
                differs = linked[name] != {target.id for target in value}
            elif isinstance(value, Target):
                differs = value.id is None or current._values.get(field.column) != value.id
            else:
                differs = field.to_db(current._values.get(field.column)) != field.to_db(value)
            if differs:
                changes[name] = value
        return changes

    # ── errors ──────────────────────────────────────────────────────────────
    def fail(self, problem: str, *, model: str | None = None, field: str | None = None,
             code: str | None = None, errors: list[dict[str, Any]] | None = None
             ) -> DataFileError:
        """The error naming this entry."""
        return DataFileError(problem, module=self.module.name, file=self.file,
                             line=self.entry.line, entry=self.entry.external_id, model=model,
                             field=field, code=code, errors=errors)

    @contextlib.contextmanager
    def _context(self, meta: ModelMeta) -> Iterator[None]:
        """Refusals of the data manager's checks name the module, file and entry."""
        try:
            yield
        except DataFileError:
            raise
        except ValidationFailed as failure:
            first = failure.errors[0]
            raise self.fail(first["message"], model=failure.model, field=first["field"],
                            code=failure.code, errors=failure.errors) from failure
        except DataError as error:
            raise self.fail(error.message, model=error.model or meta.code,
                            field=error.field, code=error.code) from error
