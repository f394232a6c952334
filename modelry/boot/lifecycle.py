"""The boot sequence, one named step at a time (INSTALL, RELOAD, PACKAGE, DDL, CUSTOM).

A writing boot takes the boot lock, re-reads the database state, plans the schema and
metadata changes, executes them, loads module data, and commits — all on one
connection. DDL computes the same plan and prints it. RELOAD only checks.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any, Protocol

import sqlalchemy as sa

from modelry.boot.data_files import load_module_data, plan_module_data
from modelry.boot.data_plan import DataPlanner, ModuleDataPlan
from modelry.boot.lock import boot_lock
from modelry.boot.meta_plan import MetaPlanner, model_fingerprint
from modelry.boot.options import BootOptions
from modelry.boot.report import BootFailed, BootRefused, BootReport
from modelry.boot.schema_plan import SchemaPlan, compute_schema_plan
from modelry.boot.sinks import execute, render
from modelry.boot.state import DatabaseState, read_state
from modelry.boot.unique_conflicts import unique_conflicts
from modelry.core.data.transaction import bind
from modelry.core.registry import Registry

log = logging.getLogger("modelry.boot")


class Progress(Protocol):
    """Receives progress of long steps: `start(step, total)`, then `advance(n)`."""

    def start(self, step: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


def utc_now() -> dt.datetime:
    """Naive UTC now (how modelry stores time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Lifecycle:
    """Runs one boot of `app` with `options`; `run()` returns the report."""

    def __init__(self, app: Any, options: BootOptions, progress: Progress | None = None) -> None:
        self.app = app
        self.progress = progress
        self.options = options
        self.registry: Registry = app.registry
        self.started = utc_now()
        self.report = BootReport(options.lifecycle)

    def run(self) -> BootReport:
        """Run the lifecycle the options describe."""
        began = time.perf_counter()
        log.debug(self.options.to_json())  # every resolved option: `modelry boot --verbose`
        if self.options.print_ddl:
            self.print_ddl()
        elif self.options.writes:
            self.install()
        else:
            self.reload()
        self.report.seconds = time.perf_counter() - began
        return self.report

    # ── decisions ──────────────────────────────────────────────────────────
    def decide_modules(self, state: DatabaseState, just_booted: bool) -> dict[str, str]:
        """module code → install | upgrade | reload."""
        decisions = {}
        for module in self.registry.modules.values():
            installed = state.modules.get(module.name)
            if installed is None:
                decisions[module.name] = "install" if self.options.install == "AUTO" else "reload"
            elif just_booted or self.options.upgrade == "READONLY":
                decisions[module.name] = "reload"
            elif self.options.upgrade == "FORCE" or _newer(module.version, installed.version):
                decisions[module.name] = "upgrade"
            else:
                decisions[module.name] = "reload"
        return decisions

    def plan_schema(self, connection: sa.Connection, state: DatabaseState) -> SchemaPlan:
        """The schema steps for the build-table mode (none when tables are not diffed)."""
        if not self.options.diff_table:
            return SchemaPlan()
        mode = self.options.build_table
        plan = compute_schema_plan(connection, self.app.metadata, mode=mode,
                                   known_tables=state.known_tables())
        self.report.left_out = [step.describe() for step in plan.left_out]
        return plan

    def plan_metadata(self, state: DatabaseState, decisions: dict[str, str]) -> list[Any]:
        """Statements that bring the persisted metadata in line with the code (the schema
        fingerprint aside: it is written last, see `plan_stamp`)."""
        if not (self.options.update_meta or self.options.diff_meta):
            return []
        planner = MetaPlanner(self.registry, self.app.metadata, self.started)
        rewrite = {code for code, decision in decisions.items() if decision == "upgrade"
                   and state.modules[code].version != self.registry.modules[code].version}
        statements = planner.module_statements(state, rewrite)
        statements += planner.model_statements(state)
        statements += planner.function_statements(state)
        return statements

    def plan_stamp(self, state: DatabaseState, touch: bool) -> list[Any]:
        """The statement recording the schema fingerprint, when it needs writing."""
        if not (self.options.update_meta or self.options.diff_meta):
            return []
        planner = MetaPlanner(self.registry, self.app.metadata, self.started)
        statement = planner.schema_statement(state, self.registry.fingerprint(), touch)
        return [] if statement is None else [statement]

    def stamp_schema(self, connection: sa.Connection, state: DatabaseState,
                     touch: bool) -> None:
        """Record the fingerprint, dated at the end of the work: an instance that waited for
        the lock since before this moment sees the work done and does not repeat it."""
        planner = MetaPlanner(self.registry, self.app.metadata, utc_now())
        statement = planner.schema_statement(state, self.registry.fingerprint(), touch)
        if statement is not None:
            connection.execute(statement)

    # ── lifecycles ─────────────────────────────────────────────────────────
    def install(self) -> None:
        """INSTALL / PACKAGE / CUSTOM_INSTALL: change the database under the boot lock."""
        with boot_lock(self.app.engine, self.options.lock_timeout) as connection:
            state = read_state(connection, self.registry, self.app.metadata)
            just_booted = (state.applied_at is not None and state.applied_at >= self.started
                           and state.fingerprint == self.registry.fingerprint())
            decisions = self.decide_modules(state, just_booted)
            plan = self.plan_schema(connection, state) if self.options.rebuild_table \
                else SchemaPlan()
            self._refuse_destructive(plan)
            self._refuse_conflicts(unique_conflicts(connection, plan, self.registry))
            changing = any(d != "reload" for d in decisions.values())
            statements = self.plan_metadata(state, decisions) \
                if self.options.update_meta else []
            if self.progress is not None and plan.steps:
                self.progress.start("schema", len(plan.steps))
            try:
                execute(connection, plan, statements,
                        self.progress.advance if self.progress is not None else None)
            except sa.exc.DBAPIError as error:
                raise BootFailed(f"{self.options.lifecycle}: the database refused a schema "
                                 f"change: {str(error.orig).strip().splitlines()[0][:300]}"
                                 + (" (MySQL/MariaDB commit each DDL statement: earlier steps "
                                    "stay applied)" if connection.dialect.name == "mysql"
                                    else "; nothing was changed")) from error
            self._record(decisions, plan, statements)
            if self.options.update_data:
                with bind(self.app.data, connection):
                    self.load_data(decisions)
            if self.options.update_meta:
                self.stamp_schema(connection, state, touch=changing)
            connection.commit()

    def print_ddl(self) -> None:
        """DDL: compute the plan on a read-only connection and print it; change nothing.

        The script holds what INSTALL would do, in its order: schema, metadata, the data
        files' rows (unless `--no-init-data`), then the schema fingerprint.
        """
        readonly = self.app.engine.connect().execution_options(modelry_readonly=True)
        with readonly as connection:
            state = read_state(connection, self.registry, self.app.metadata)
            decisions = self.decide_modules(state, just_booted=False)
            plan = self.plan_schema(connection, state)
            statements = self.plan_metadata(state, decisions)
            data = self.plan_data(connection, decisions) if self.options.print_data else []
            stamp = self.plan_stamp(state, touch=False)
            conflicts = unique_conflicts(connection, plan, self.registry)
            self.report.warnings.extend(conflicts)
            header = self._header(connection, state) + [
                f"warning: this script fails until the rows are fixed: {c}" for c in conflicts]
            self.report.ddl = render(connection, plan, statements, header=header,
                                     allow_destructive=self.options.allow_destructive,
                                     data=data, stamp=stamp)
            connection.rollback()
        self._record(decisions, plan, statements + stamp)
        self.report.ddl_changes = any(not line.startswith("--") and line.strip()
                                      for line in self.report.ddl.splitlines())
        for module in data:
            self.report.rows_created += module.report.created
            self.report.rows_updated += module.report.updated

    def plan_data(self, connection: sa.Connection,
                  decisions: dict[str, str]) -> list[ModuleDataPlan]:
        """The data plans of installed and upgraded modules, in dependency order; later
        modules see the records earlier ones create."""
        planner = DataPlanner(self.app, connection)
        return [plan_module_data(planner, module, decisions[module.name])
                for module in self._data_modules(decisions)]

    def reload(self) -> None:
        """RELOAD: read modules and metadata, check the fingerprint; write nothing."""
        if not (self.options.reload_module or self.options.check_module):
            return
        readonly = self.app.engine.connect().execution_options(modelry_readonly=True)
        with readonly as connection:
            state = read_state(connection, self.registry, self.app.metadata)
            problems = self.fingerprint_problems(state) if self.options.check_module else []
            if self.options.check_field:
                problems += self.column_problems(connection)
            connection.rollback()
        self.report.reloaded = list(self.registry.modules)
        if problems and self.options.fingerprint_mismatch == "WARN":
            self.report.warnings.extend(problems)
        elif problems:
            raise BootRefused("RELOAD refused: the database schema does not match the code "
                              "(boot INSTALL, or apply a DDL script, first)", problems)

    # ── checks ─────────────────────────────────────────────────────────────
    def fingerprint_problems(self, state: DatabaseState) -> list[str]:
        """What differs between the code's metadata and the database's, model by model."""
        if not state.installed:
            return ["the database has no modelry schema (no base.SchemaState row)"]
        problems = []
        for module in self.registry.modules.values():
            installed = state.modules.get(module.name)
            if installed is None:
                problems.append(f"module {module.name} is not installed")
            elif installed.version != module.version:
                problems.append(f"module {module.name}: code {module.version}, "
                                f"database {installed.version}")
        for meta in self.registry.models.values():
            row = state.models.get(meta.code)
            if row is None:
                problems.append(f"model {meta.code} is not in the database")
            elif state.fingerprint == self.registry.fingerprint():
                continue
            elif row["fingerprint"] != model_fingerprint(meta):
                stored = state.fields.get(meta.code, {})
                added = [n for n in meta.fields if n not in stored]
                removed = [n for n in stored if n not in meta.fields]
                changed = [n for n in meta.fields if n in stored and _field_changed(
                    meta.fields[n].describe(), stored[n].get("description") or {})]
                details = [f"fields added: {', '.join(added)}" if added else "",
                           f"fields removed: {', '.join(removed)}" if removed else "",
                           f"fields changed: {', '.join(changed)}" if changed else "",
                           *_unique_changes(meta.unique, row.get("unique_constraints"))]
                problems.append(f"model {meta.code} differs: "
                                f"{'; '.join(d for d in details if d) or 'model options'}")
        for code, row in state.models.items():
            if code not in self.registry.models and row["module"] in self.registry.modules:
                problems.append(f"model {code} is in the database but not in the code")
        if not problems and state.fingerprint != self.registry.fingerprint():
            problems.append("schema fingerprint differs")
        return problems

    def column_problems(self, connection: sa.Connection) -> list[str]:
        """Columns the code declares that the live tables lack (`--check-field`)."""
        inspector = sa.inspect(connection)
        tables = set(inspector.get_table_names())
        problems = []
        for table in self.app.metadata.sorted_tables:
            if table.name not in tables:
                problems.append(f"table {table.name} is missing")
                continue
            live = {column["name"] for column in inspector.get_columns(table.name)}
            problems += [f"column {table.name}.{c.name} is missing" for c in table.columns
                         if c.name not in live]
        return problems

    # ── data and bookkeeping ───────────────────────────────────────────────
    def load_data(self, decisions: dict[str, str]) -> None:
        """Load data files of installed and upgraded modules, in dependency order."""
        loading = self._data_modules(decisions)
        if self.progress is not None and loading:
            self.progress.start("data", len(loading))
        for module in loading:
            loaded = load_module_data(self.app, module, mode=decisions[module.name])
            self.report.rows_created += loaded.created
            self.report.rows_updated += loaded.updated
            if self.progress is not None:
                self.progress.advance(1)

    def _data_modules(self, decisions: dict[str, str]) -> list[Any]:
        return [m for m in self.registry.modules.values()
                if decisions[m.name] != "reload" and m.data]

    def _refuse_destructive(self, plan: SchemaPlan) -> None:
        if plan.destructive and not self.options.allow_destructive:
            raise BootRefused(
                f"{self.options.lifecycle} refused: destructive schema changes need "
                "--allow-destructive (or --build-table extend to skip them)",
                [step.describe() for step in plan.destructive])

    def _refuse_conflicts(self, conflicts: list[str]) -> None:
        if conflicts:
            raise BootRefused(f"{self.options.lifecycle} refused: existing rows break a unique "
                              "constraint the code adds; nothing was changed", conflicts)

    def _record(self, decisions: dict[str, str], plan: SchemaPlan,
                statements: list[Any]) -> None:
        for code, decision in decisions.items():
            {"install": self.report.installed, "upgrade": self.report.upgraded,
             "reload": self.report.reloaded}[decision].append(code)
        self.report.tables_created = plan.tables_created()
        self.report.tables_altered = plan.tables_altered()
        self.report.schema_steps = [step.describe() for step in plan.steps]
        self.report.metadata_statements = len(statements)

    def _header(self, connection: sa.Connection, state: DatabaseState) -> list[str]:
        dialect = connection.dialect
        server = ".".join(map(str, dialect.server_version_info or ()))
        name = "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name
        return [f"modelry DDL script for {name} {server}".rstrip(),
                f"generated {self.started.isoformat(timespec='seconds')}Z",
                "modules: " + ", ".join(f"{m.name} {m.version}"
                                        for m in self.registry.modules.values()),
                f"schema fingerprint: {state.fingerprint or '(none)'} -> "
                f"{self.registry.fingerprint()}",
                f"build mode: {self.options.build_table}; destructive changes "
                f"{'included' if self.options.allow_destructive else 'commented out'}"]


def _newer(code_version: str, installed_version: str) -> bool:
    def parts(version: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))
    return parts(code_version) > parts(installed_version)


def _unique_changes(declared: list[tuple[str, ...]], stored: Any) -> list[str]:
    """`unique added: (ledger, code)` and the like, between the code and the database."""
    def shown(sets: list[frozenset[str]], order: dict[frozenset[str], tuple]) -> str:
        return ", ".join(f"({', '.join(order[s])})" for s in sets)

    now = {frozenset(names): tuple(names) for names in declared}
    before = {frozenset(names): tuple(names) for names in stored or []}
    added = [s for s in now if s not in before]
    removed = [s for s in before if s not in now]
    return [f"unique added: {shown(added, now)}" if added else "",
            f"unique removed: {shown(removed, before)}" if removed else ""]


def _field_changed(current: dict[str, Any], stored: dict[str, Any]) -> bool:
    keys = set(current) | set(stored)
    return any(str(current.get(k)) != str(stored.get(k)) for k in keys if k != "join_table")
