"""Metadata DML: the rows of base.ModuleDefinition, ModelDefinition, ModelField and
SchemaState that bring the persisted metadata in line with the registry.

Statements are SQLAlchemy Core with plain values, so the same list is executed by
INSTALL and rendered with literal values by DDL.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa

from modelry.boot.state import DatabaseState
from modelry.core.fields import ManyToMany, Relation
from modelry.core.registry import ModelMeta, Registry


def model_fingerprint(meta: ModelMeta) -> str:
    """A hash of one model's schema-relevant metadata."""
    text = json.dumps(meta.describe(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class MetaPlanner:
    """Builds the statements; `tables` are the base module's tables."""

    def __init__(self, registry: Registry, metadata: sa.MetaData, now: dt.datetime) -> None:
        self.registry = registry
        self.now = now
        def table(code: str) -> sa.Table:
            return metadata.tables[registry.model(code).table]

        self.modules = table("base.ModuleDefinition")
        self.models = table("base.ModelDefinition")
        self.fields = table("base.ModelField")
        self.schema = table("base.SchemaState")
        self.functions = table("base.FunctionDefinition")

    def _audit(self) -> dict[str, Any]:
        return {"create_date": self.now, "write_date": self.now}

    def module_statements(self, state: DatabaseState, versions_to_write: set[str]) -> list[Any]:
        """Insert new modules; update those whose version is written anew."""
        statements = []
        for module in self.registry.modules.values():
            values = {"display_name": module.display_name, "version": module.version,
                      "state": "INSTALLED", "dependencies": list(module.depends)}
            if module.name not in state.modules:
                statements.append(sa.insert(self.modules).values(
                    module=module.name, installed_at=self.now, **values, **self._audit()))
            elif module.name in versions_to_write:
                statements.append(sa.update(self.modules).where(
                    self.modules.c.module == module.name).values(
                        upgraded_at=self.now, write_date=self.now, **values))
        return statements

    def model_statements(self, state: DatabaseState) -> list[Any]:
        """Insert, update or delete model and field rows whose fingerprint changed."""
        statements: list[Any] = []
        loaded = set(self.registry.modules)
        for meta in self.registry.models.values():
            fingerprint = model_fingerprint(meta)
            row = state.models.get(meta.code)
            values = {"module": meta.module, "name": meta.name, "table_name": meta.table,
                      "kind": meta.kind, "display_name": meta.display_name,
                      "optimistic_lock": meta.optimistic_lock, "fingerprint": fingerprint,
                      "unique_constraints": [list(names) for names in meta.unique] or None}
            if row is None:
                statements.append(sa.insert(self.models).values(
                    model=meta.code, **values, **self._audit()))
            elif row["fingerprint"] != fingerprint:
                statements.append(sa.update(self.models).where(
                    self.models.c.model == meta.code).values(write_date=self.now, **values))
                statements.append(sa.delete(self.fields).where(self.fields.c.model == meta.code))
            else:
                continue
            statements.extend(self._field_rows(meta))
        for code, row in state.models.items():
            if code not in self.registry.models and row["module"] in loaded:
                statements.append(sa.delete(self.fields).where(self.fields.c.model == code))
                statements.append(sa.delete(self.models).where(self.models.c.model == code))
        return statements

    def function_statements(self, state: DatabaseState) -> list[Any]:
        """Insert, update or delete base.FunctionDefinition rows of the loaded modules."""
        statements: list[Any] = []
        loaded = set(self.registry.modules)
        declared = self.registry.behaviours.functions
        for key, function in sorted(declared.items()):
            values = {"name": function.python_name, "open_level": function.open_level,
                      "fun_type": function.fun_type, "module": function.module}
            row = state.functions.get(key)
            if row is None:
                statements.append(sa.insert(self.functions).values(
                    namespace=key[0], fun=key[1], **values, **self._audit()))
            elif any(row.get(k) != v for k, v in values.items()):
                statements.append(sa.update(self.functions).where(
                    self.functions.c.namespace == key[0], self.functions.c.fun == key[1]
                ).values(write_date=self.now, **values))
        for key, row in state.functions.items():
            if key not in declared and row.get("module") in loaded:
                statements.append(sa.delete(self.functions).where(
                    self.functions.c.namespace == key[0], self.functions.c.fun == key[1]))
        return statements

    def _field_rows(self, meta: ModelMeta) -> list[Any]:
        rows = []
        for field in meta.fields.values():
            description = field.describe()
            if isinstance(field, ManyToMany):
                description["join_table"] = field.join_table
            rows.append({"model": meta.code, "field": field.name, "kind": field.kind,
                         "column_name": field.column if field.stored else None,
                         "required": field.required,
                         "target": field.target if isinstance(field, Relation) else None,
                         "description": description, **self._audit()})
        return [sa.insert(self.fields).values(rows)] if rows else []

    def schema_statement(self, state: DatabaseState, fingerprint: str,
                         touch: bool) -> Any | None:
        """Record the schema fingerprint (and when it was applied)."""
        versions = {m.name: m.version for m in self.registry.modules.values()}
        if state.fingerprint is None:
            return sa.insert(self.schema).values(key="schema", fingerprint=fingerprint,
                                                 modules=versions, applied_at=self.now,
                                                 **self._audit())
        if state.fingerprint != fingerprint or touch:
            return sa.update(self.schema).where(self.schema.c.key == "schema").values(
                fingerprint=fingerprint, modules=versions, applied_at=self.now,
                write_date=self.now)
        return None
