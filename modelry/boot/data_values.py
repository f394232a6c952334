"""An entry's raw values as field values: text converted by type (CHECK), refs resolved.

A ref becomes a `Target`: the record an external id names, with its id when the record
exists already, or without one when the same plan creates it (its id is then read from
the install registry by external id, in SQL, when the statement runs).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelry.boot.data_errors import DataFileError
from modelry.boot.data_formats import DataEntry, Ref, as_refs, looks_like_ref
from modelry.core.data.validate import check_values
from modelry.core.fields import Enum, Field, Json, ManyToMany, ManyToOne, OneToMany
from modelry.core.module import Module
from modelry.core.registry import ModelMeta, Registry
from modelry.errors import ValidationFailed

TO_MANY = (OneToMany, ManyToMany)


@dataclass
class Registered:
    """A base.ModelData row as a plan sees it: read from the database, or planned."""

    model: str
    record_id: int | None     # None while the plan creates (or re-creates) the record
    noupdate: bool = False
    row_id: int | None = None  # None when the plan inserts the row


@dataclass(frozen=True)
class Target:
    """The record an external id names; `id` is None when the plan creates it."""

    module: str
    external_id: str
    id: int | None


Fail = Callable[..., DataFileError]   # fail(problem, model=, field=, code=, errors=)
Lookup = Callable[[str, str], Registered | None]   # (module, local id) → its registry row


class EntryValues:
    """Converts the values of `module`'s entries; `lookup` finds registry rows for refs."""

    def __init__(self, registry: Registry, module: Module, lookup: Lookup, fail: Fail) -> None:
        self.registry = registry
        self.module = module
        self.lookup = lookup
        self.fail = fail

    def model(self, entry: DataEntry) -> ModelMeta:
        """The stored model the entry names."""
        meta = self.registry.find(entry.model)
        if meta is None:
            raise self.fail(f"unknown model {entry.model!r}: no loaded module declares it",
                            code="UNKNOWN_MODEL", model=entry.model)
        if not meta.stored:
            raise self.fail(f"{meta.code} is a {meta.kind} model: it has no table to load "
                            "records into", code="NOT_STORED", model=meta.code)
        return meta

    def convert(self, meta: ModelMeta, entry: DataEntry) -> dict[str, Any]:
        """Field name → value: relations as Targets (lists for to-many), scalars checked."""
        values: dict[str, Any] = {}
        for name, raw in entry.values.items():
            field = meta.fields.get(name)
            if field is None:
                raise self.fail(f"{meta.code} has no field {name!r}", model=meta.code,
                                field=name, code="UNKNOWN_FIELD")
            if field.system:
                raise self.fail("system fields are set by modelry, not by data files",
                                model=meta.code, field=name, code="SYSTEM_FIELD")
            values[name] = self._value(meta, field, raw, entry)
        scalars = {name: value for name, value in values.items()
                   if not isinstance(meta.fields[name], (ManyToOne, *TO_MANY))}
        try:
            values.update(check_values(meta, scalars, partial=True))
        except ValidationFailed as failure:
            first = failure.errors[0]
            raise self.fail(first["message"], model=meta.code, field=first["field"],
                            code="VALIDATION_FAILED", errors=failure.errors) from failure
        return values

    def _value(self, meta: ModelMeta, field: Field, raw: Any, entry: DataEntry) -> Any:
        if isinstance(field, (ManyToOne, *TO_MANY)):
            return self._relation(meta, field, raw, entry)
        if isinstance(field, Json):
            if entry.source == "csv" and isinstance(raw, str):
                try:
                    return json.loads(raw)
                except ValueError as error:
                    raise self.fail(f"not JSON: {error}", model=meta.code, field=field.name,
                                    code="BAD_VALUE") from None
            return raw
        if looks_like_ref(raw):
            raise self.fail(f"a {{ref: ...}} is for relation fields; this is a {field.kind} "
                            "field", model=meta.code, field=field.name, code="BAD_REF")
        if isinstance(field, Enum) and raw is not None and not isinstance(raw, field.enum_class):
            return self._enum(meta, field, raw)
        return raw

    def _enum(self, meta: ModelMeta, field: Enum, raw: Any) -> Any:
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
        raise self.fail(f"{raw!r} is neither a member name nor a value of "
                        f"{members.__name__} ({names})", model=meta.code, field=field.name,
                        code="BAD_VALUE")

    def _relation(self, meta: ModelMeta, field: Field, raw: Any, entry: DataEntry) -> Any:
        to_many = isinstance(field, TO_MANY)
        if raw is None or (to_many and raw == []):
            return [] if to_many else None
        refs = as_refs(raw)
        if entry.source == "csv":
            shape = f"external ids in a column '{field.name}:ref'"
        else:
            shape = "a list of {ref: external_id}" if to_many else "{ref: external_id}"
        if refs is None or (not to_many and len(refs) != 1):
            raise self.fail(f"a {field.kind} value in a data file is {shape}, got {raw!r}",
                            model=meta.code, field=field.name, code="BAD_REF")
        targets = [self._resolve(meta, field, ref) for ref in refs]
        return list(dict.fromkeys(targets)) if to_many else targets[0]

    def _resolve(self, meta: ModelMeta, field: Any, ref: Ref) -> Target:
        """The record `ref` names; it must be of the field's target model."""
        module, _, local = ref.external_id.rpartition(".")
        module = module or self.module.name
        row = self.lookup(module, local)
        if row is None:
            hint = ("refs name records loaded before this entry"
                    if module == self.module.name or module in self.module.depends else
                    f"module {module!r} is not a dependency of {self.module.name!r}")
            raise self.fail(f"ref {ref.external_id!r}: no record {module}.{local} has been "
                            f"loaded ({hint})", model=meta.code, field=field.name,
                            code="BAD_REF")
        target, found = self.registry.model(field.target), self.registry.find(row.model)
        if found is None or found.table != target.table:
            raise self.fail(f"ref {ref.external_id!r} is a {row.model} record; the field "
                            f"wants a {field.target}", model=meta.code, field=field.name,
                            code="BAD_REF")
        return Target(module, local, row.record_id)
