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

All of a module's data loads in one savepoint of the caller's transaction, with the
back-end directives plus UNLOCK (locked models are updated without a held version),
CHECK and DEFAULT_VALUE (declared defaults fill new records). Any problem raises
`DataFileError` naming the module, file, line, entry and field, and nothing of that
module's data stays written.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from modelry import directives
from modelry.boot.data_formats import (
    DataEntry, MalformedData, Ref, as_refs, looks_like_ref, parse_data_file)
from modelry.core.data.validate import check_values
from modelry.core.fields import Enum, Field, Json, ManyToMany, ManyToOne, OneToMany
from modelry.core.module import Module
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError, ValidationFailed

log = logging.getLogger("modelry.boot")

MODES = ("install", "upgrade")
LOAD_DIRECTIVES = (Directive.UNLOCK, Directive.CHECK, Directive.DEFAULT_VALUE)
REGISTRY_MODEL = "base.ModelData"


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


class DataFileError(DataError):
    """A module's data file could not be loaded; nothing of that module's data was kept."""

    code = "DATA_FILE_ERROR"

    def __init__(self, problem: str, *, module: str, file: str, line: int | None = None,
                 entry: str | None = None, model: str | None = None,
                 field: str | None = None, code: str | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        where = f"{module}: data file {file}"
        if line is not None:
            where += f", line {line}"
        if entry:
            where += f", entry {module}.{entry}"
            if model:
                where += f" ({model})"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}", code=code, model=model, field=field,
                         module=module)
        self.problem = problem
        self.file = file
        self.line = line
        self.entry = entry
        self.errors = errors or []

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "module": self.module, "file": self.file,
                "line": self.line, "entry": self.entry}


def load_module_data(app: Any, module: Module, *, mode: str) -> DataLoadReport:
    """Load `module.data` into `app`'s database (install or upgrade); all or nothing."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    files = read_module_data(module)
    if not any(entries for _, entries in files):
        return DataLoadReport()
    with directives.scope(*LOAD_DIRECTIVES), app.transaction():
        loader = _ModuleLoader(app, module)
        for name, entries in files:
            before = loader.report
            for entry in entries:
                loader.load(name, entry)
            done = loader.report
            log.debug("%s: %s: %d created, %d updated, %d skipped", module.name, name,
                      done.created - before.created, done.updated - before.updated,
                      done.skipped - before.skipped)
    log.info("%s data (%s): %d created, %d updated, %d skipped", module.name, mode,
             loader.report.created, loader.report.updated, loader.report.skipped)
    return loader.report


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


class _ModuleLoader:
    """Loads the entries of one module inside an open transaction, counting what it did."""

    def __init__(self, app: Any, module: Module) -> None:
        self.data = app.data
        self.registry = app.registry
        self.module = module
        self.registry_cls = self.registry.model(REGISTRY_MODEL).cls
        self.rows: dict[tuple[str, str], Any] = {
            (row.module, row.external_id): row
            for row in self.data.query_list(REGISTRY_MODEL, None, {"module": module.name})}
        self.report = DataLoadReport()
        self.file = ""
        self.entry: DataEntry | None = None

    # ── one entry ───────────────────────────────────────────────────────────
    def load(self, file: str, entry: DataEntry) -> None:
        """Create, update or skip the record of `entry`."""
        self.file, self.entry = file, entry
        meta = self._model(entry)
        values = self._values(meta, entry)
        row = self.rows.get((self.module.name, entry.external_id))
        with self._context(meta):
            if row is None:
                record = self._create(meta, values)
                self.rows[(self.module.name, entry.external_id)] = self._register(
                    meta, record, entry.noupdate)
                self._count(created=1)
                return
            if row.model != meta.code:
                raise self._error(f"this id was loaded as a {row.model} record; an external "
                                  "id cannot change model", model=meta.code,
                                  code="MODEL_CHANGED")
            if entry.noupdate and not row.noupdate:
                row.noupdate = True  # once a file says no-update, the record stays so
                self.data.update_by_id(row)
            current = self.data.query_by_id(meta.code, row.res_id)
            if current is None:  # deleted since it was loaded: bring it back (as Odoo does)
                row.res_id = self._create(meta, values).id
                self.data.update_by_id(row)
                self._count(created=1)
                return
            if row.noupdate:
                self._count(skipped=1)
                return
            changes = self._changes(meta, current, values)
            if not changes:
                self._count(skipped=1)
                return
            record = meta.cls(id=row.res_id)
            for name, value in changes.items():
                setattr(record, name, value)
            if not self.data.update_by_id(record):
                raise self._error(f"record {row.res_id} vanished during the update",
                                  model=meta.code, code="RECORD_NOT_FOUND")
            self._count(updated=1)

    def _count(self, created: int = 0, updated: int = 0, skipped: int = 0) -> None:
        self.report += DataLoadReport(created, updated, skipped)

    def _create(self, meta: ModelMeta, values: dict[str, Any]) -> Any:
        record = meta.cls()
        for name, value in values.items():
            setattr(record, name, value)
        return self.data.create(record)

    def _register(self, meta: ModelMeta, record: Any, noupdate: bool) -> Any:
        assert self.entry is not None
        row = self.registry_cls(module=self.module.name, external_id=self.entry.external_id,
                                model=meta.code, res_id=record.id, noupdate=noupdate)
        return self.data.create(row)

    def _changes(self, meta: ModelMeta, current: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The given values that differ from the stored record's."""
        changes = {}
        for name, value in values.items():
            field = meta.fields[name]
            if isinstance(field, (OneToMany, ManyToMany)):
                differs = {linked.id for linked in getattr(current, name)} != set(value)
            else:
                differs = field.to_db(current._values.get(field.column)) != field.to_db(value)
            if differs:
                changes[name] = value
        return changes

    # ── checking an entry against the registry ──────────────────────────────
    def _model(self, entry: DataEntry) -> ModelMeta:
        meta = self.registry.find(entry.model)
        if meta is None:
            raise self._error(f"unknown model {entry.model!r}: no loaded module declares it",
                              code="UNKNOWN_MODEL", model=entry.model)
        if not meta.stored:
            raise self._error(f"{meta.code} is a {meta.kind} model: it has no table to load "
                              "records into", code="NOT_STORED", model=meta.code)
        return meta

    def _values(self, meta: ModelMeta, entry: DataEntry) -> dict[str, Any]:
        """Field name → value to write: refs resolved to ids, scalars converted (CHECK)."""
        values: dict[str, Any] = {}
        for name, raw in entry.values.items():
            field = meta.fields.get(name)
            if field is None:
                raise self._error(f"{meta.code} has no field {name!r}", model=meta.code,
                                  field=name, code="UNKNOWN_FIELD")
            if field.system:
                raise self._error("system fields are set by modelry, not by data files",
                                  model=meta.code, field=name, code="SYSTEM_FIELD")
            values[name] = self._value(meta, field, raw)
        scalars = {name: value for name, value in values.items()
                   if not isinstance(meta.fields[name], (OneToMany, ManyToMany))}
        try:
            values.update(check_values(meta, scalars, partial=True))
        except ValidationFailed as failure:
            first = failure.errors[0]
            raise self._error(first["message"], model=meta.code, field=first["field"],
                              code="VALIDATION_FAILED", errors=failure.errors) from failure
        return values

    def _value(self, meta: ModelMeta, field: Field, raw: Any) -> Any:
        entry = self.entry
        assert entry is not None
        if isinstance(field, (ManyToOne, OneToMany, ManyToMany)):
            return self._relation_value(meta, field, raw)
        if isinstance(field, Json):
            if entry.source == "csv" and isinstance(raw, str):
                try:
                    return json.loads(raw)
                except ValueError as error:
                    raise self._error(f"not JSON: {error}", model=meta.code, field=field.name,
                                      code="BAD_VALUE") from None
            return raw
        if looks_like_ref(raw):
            raise self._error(f"a {{ref: ...}} is for relation fields; this is a {field.kind} "
                              "field", model=meta.code, field=field.name, code="BAD_REF")
        if isinstance(field, Enum) and raw is not None and not isinstance(raw, field.enum_class):
            return self._enum_value(meta, field, raw)
        return raw

    def _enum_value(self, meta: ModelMeta, field: Enum, raw: Any) -> Any:
        members = field.enum_class
        if isinstance(raw, str) and raw in members.__members__:
            return members[raw]
        candidates = [raw]
        if field.int_values and isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            candidates.append(int(raw))
        for candidate in candidates:
            try:
                return members(candidate)
            except ValueError:
                continue
        names = ", ".join(members.__members__)
        raise self._error(f"{raw!r} is neither a member name nor a value of "
                          f"{members.__name__} ({names})", model=meta.code, field=field.name,
                          code="BAD_VALUE")

    def _relation_value(self, meta: ModelMeta, field: Field, raw: Any) -> Any:
        to_many = not isinstance(field, ManyToOne)
        if raw is None or (to_many and raw == []):
            return [] if to_many else None
        refs = as_refs(raw)
        if self.entry is not None and self.entry.source == "csv":
            shape = f"external ids in a column '{field.name}:ref'"
        else:
            shape = "a list of {ref: external_id}" if to_many else "{ref: external_id}"
        if refs is None or (not to_many and len(refs) != 1):
            raise self._error(f"a {field.kind} value in a data file is {shape}, got {raw!r}",
                              model=meta.code, field=field.name, code="BAD_REF")
        ids = [self._resolve(meta, field, ref) for ref in refs]
        return ids if to_many else ids[0]

    def _resolve(self, meta: ModelMeta, field: Any, ref: Ref) -> int:
        """The id of the record `ref` names; it must be of the field's target model."""
        module, _, local = ref.external_id.rpartition(".")
        module = module or self.module.name
        row = self._row(module, local)
        if row is None:
            hint = ("refs name records loaded before this entry"
                    if module == self.module.name or module in self.module.depends else
                    f"module {module!r} is not a dependency of {self.module.name!r}")
            raise self._error(f"ref {ref.external_id!r}: no record {module}.{local} has been "
                              f"loaded ({hint})", model=meta.code, field=field.name,
                              code="BAD_REF")
        target, found = self.registry.model(field.target), self.registry.find(row.model)
        if found is None or found.table != target.table:
            raise self._error(f"ref {ref.external_id!r} is a {row.model} record; the field "
                              f"wants a {field.target}", model=meta.code, field=field.name,
                              code="BAD_REF")
        return int(row.res_id)

    def _row(self, module: str, local: str) -> Any:
        key = (module, local)
        if key not in self.rows and module != self.module.name:
            with self._context(None):
                self.rows[key] = self.data.query_one(
                    REGISTRY_MODEL, None, {"module": module, "external_id": local})
        return self.rows.get(key)

    # ── errors ──────────────────────────────────────────────────────────────
    def _error(self, problem: str, *, model: str | None = None, field: str | None = None,
               code: str | None = None, errors: list[dict[str, Any]] | None = None
               ) -> DataFileError:
        entry = self.entry
        return DataFileError(problem, module=self.module.name, file=self.file,
                             line=entry.line if entry else None,
                             entry=entry.external_id if entry else None, model=model,
                             field=field, code=code, errors=errors)

    @contextlib.contextmanager
    def _context(self, meta: ModelMeta | None) -> Iterator[None]:
        """Errors of the data manager or the database name the module, file and entry."""
        try:
            yield
        except DataFileError:
            raise
        except ValidationFailed as failure:
            first = failure.errors[0]
            raise self._error(first["message"], model=failure.model, field=first["field"],
                              code=failure.code, errors=failure.errors) from failure
        except DataError as error:
            raise self._error(error.message, model=error.model or (meta and meta.code),
                              field=error.field, code=error.code) from error
        except sa.exc.DBAPIError as error:
            detail = str(error.orig).strip().splitlines()[0][:300]
            raise self._error(f"the database refused the write: {detail}",
                              model=meta.code if meta else None,
                              code="DATABASE_ERROR") from error
