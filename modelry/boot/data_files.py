"""Init data: load a module's data files (YAML, CSV) through the data manager.

`Module.data` lists the files, relative to the module's package directory; they load in
that order, and entries in file order, so a ref must name a record loaded earlier (in
an earlier entry, an earlier file, or a module loaded before). Every record gets an
install-registry row `base.ModelData(module, external_id, model, res_id, noupdate)`;
`external_id` is the id as written, the module column scopes it: the full external id
is `<module>.<id>`.

YAML (`.yaml`, `.yml`): a list of entries::

    - model: demo.PetBreed
      id: breed_persian            # letters, digits, '_' and '-'; no module prefix
      noupdate: false              # optional; true = never updated after the first load
      values:
        name: Persian
        owner: {ref: owner_ann}            # ManyToOne: a record of this module
        tags: [{ref: tag_cats}, {ref: other_module.tag_x}]   # ManyToMany / OneToMany
        status: OPEN                       # Enum: member name or value
        opened_on: "2020-01-05"            # Date, DateTime, Time, Decimal, Money: text
        settings: {delivery: true}         # Json: taken as written

CSV (`.csv`, UTF-8, an optional BOM): the model is the file name (`demo.PetTag.csv`)
or a leading comment `# model: demo.PetTag`; `# noupdate: true` marks every row
no-update. Then a header row: first column `id` (the external id), the others field
names; a column `field:ref` holds an external id for a ManyToOne, or several (separated
by spaces or commas) for a ManyToMany/OneToMany. An empty cell is None (an empty
to-many). Cells are text converted by the field's type: numbers, `true`/`false`,
ISO dates and times, Enum member names or values, JSON for Json fields.

Values are validated as a client's would be (CHECK): a value the field cannot take is
an error naming the field. A to-many value replaces the record's links.

Semantics. For each entry: with no registry row, the record is created with its row;
with a row, the fields the file gives are updated where they differ (the record keeps
every other value, and an unchanged record is not written); a row whose record was
deleted gets the record re-created and the row repointed. A record marked no-update
(in the file, or in its registry row) is never updated once loaded, whatever a user
changed; only when it was deleted is it re-created. `install` and `upgrade` follow the
same rules, so loading twice never duplicates.

How. A module's data is planned first (`modelry.boot.data_plan`: every entry's decision
and its SQL statements, built with the back-end directives plus UNLOCK — locked models are
updated without a held version —, CHECK and DEFAULT_VALUE — declared defaults fill new
records), then executed here, in one savepoint of the caller's transaction; DDL prints the
same plan. Ids: see `modelry.boot.data_statements` (the database gives them; the registry
records them; later statements read them back by external id). Any problem raises
`DataFileError` naming the module, file, line, entry and field, and nothing of that
module's data stays written.
"""
from __future__ import annotations

import importlib
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from modelry.boot.data_errors import DataFileError
from modelry.boot.data_formats import DataEntry, MalformedData, parse_data_file
from modelry.boot.data_plan import (
    LOAD_DIRECTIVES, DataLoadReport, DataPlanner, EntryStep, ModuleDataPlan)
from modelry.boot.data_statements import REGISTRY_MODEL
from modelry.core.module import Module

log = logging.getLogger("modelry.boot")

MODES = ("install", "upgrade")
MYSQL_NO_DEFAULT = 1364  # a NOT NULL column left out: MySQL reports an OperationalError

__all__ = ["LOAD_DIRECTIVES", "MODES", "REGISTRY_MODEL", "DataFileError", "DataLoadReport",
           "load_module_data", "plan_module_data", "read_module_data"]


def load_module_data(app: Any, module: Module, *, mode: str) -> DataLoadReport:
    """Load `module.data` into `app`'s database (install or upgrade); all or nothing."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    files = read_module_data(module)
    if not any(entries for _, entries in files):
        return DataLoadReport()
    with app.transaction() as connection:
        plan = DataPlanner(app, connection).plan(module, files, mode)
        execute_data_plan(app, connection, plan)
    for code in sorted(plan.models):  # e.g. cached rights hear that rights were loaded
        for listener in app.data.on_write:
            listener(code)
    report = plan.report
    log.info("%s data (%s): %d created, %d updated, %d skipped", module.name, mode,
             report.created, report.updated, report.skipped)
    return report


def plan_module_data(planner: DataPlanner, module: Module, mode: str) -> ModuleDataPlan:
    """The plan of `module`'s data files (for DDL, which prints it)."""
    return planner.plan(module, read_module_data(module), mode)


def execute_data_plan(app: Any, connection: sa.Connection, plan: ModuleDataPlan) -> None:
    """Run the plan's statements; a refusal of the database names the entry (and, for a
    constraint, the model and field, as the data manager does)."""
    for step in plan.steps:
        for statement in step.statements:
            try:
                connection.execute(statement)
            except sa.exc.DBAPIError as error:
                raise _refusal(app, plan.module, step, error) from error


def _refusal(app: Any, module: str, step: EntryStep, error: sa.exc.DBAPIError
             ) -> DataFileError:
    where = {"module": module, "file": step.file, "line": step.entry.line,
             "entry": step.entry.external_id}
    constraint = isinstance(error, sa.exc.IntegrityError) or (
        isinstance(error, sa.exc.OperationalError)
        and getattr(error.orig, "args", (None,))[:1] == (MYSQL_NO_DEFAULT,))
    if constraint:
        violation = app.data.integrity.error(error, step.model, None, "write")
        return DataFileError(violation.message, model=violation.model or step.model,
                             field=violation.field, code=violation.code, **where)
    detail = str(error.orig).strip().splitlines()[0][:300]
    if isinstance(error, sa.exc.DataError):
        return DataFileError(f"the database refused a value: {detail}", model=step.model,
                             code="INVALID_VALUE", **where)
    return DataFileError(f"the database refused the write: {detail}", model=step.model,
                         code="DATABASE_ERROR", **where)


def read_module_data(module: Module) -> list[tuple[str, list[DataEntry]]]:
    """Each of `module.data` parsed, in order; an external id defined twice is an error."""
    parsed: list[tuple[str, list[DataEntry]]] = []
    defined: dict[str, str] = {}  # external id → where it was first defined
    for name in module.data:
        try:
            entries = parse_data_file(name, _read(module, name))
        except MalformedData as error:
            raise DataFileError(error.problem, module=module.name, file=name, line=error.line,
                                entry=error.entry, field=error.field,
                                code="MALFORMED_DATA") from None
        for entry in entries:
            if entry.external_id in defined:
                raise DataFileError(
                    f"id {entry.external_id!r} is already defined in {defined[entry.external_id]}",
                    module=module.name, file=name, line=entry.line, entry=entry.external_id,
                    model=entry.model, code="DUPLICATE_ID")
            defined[entry.external_id] = f"{name}, line {entry.line}" if entry.line else name
        parsed.append((name, entries))
    return parsed


def _read(module: Module, name: str) -> str:
    package = importlib.import_module(module.package)
    if hasattr(package, "__path__"):
        path: Any = resources.files(module.package).joinpath(name)
    else:  # the Module was declared in a plain module: files sit beside it
        path = Path(package.__file__ or "").parent / name
    try:
        return path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise DataFileError(f"file not found in package {module.package!r}",
                            module=module.name, file=name, code="FILE_NOT_FOUND") from None
    except UnicodeDecodeError as error:
        raise DataFileError(f"not UTF-8 text ({error.reason} at byte {error.start})",
                            module=module.name, file=name, code="MALFORMED_DATA") from None
