"""Persisted metadata: modules, models, fields, functions, loaded data, schema state.

These are ordinary models of the base module, so they are read and written through the
data manager and queryable like any other model.
"""
from __future__ import annotations

import enum

from modelry import Model, fields


class ModuleState(enum.Enum):
    """Where a module stands in the database."""

    INSTALLED = "INSTALLED"
    TO_UPGRADE = "TO_UPGRADE"
    UNINSTALLED = "UNINSTALLED"


class ModuleDefinition(Model, model="base.ModuleDefinition", display_name="Module"):
    """An installed module: code, version, state and dependencies."""

    module = fields.String(size=64, required=True, unique=True)
    display_name = fields.String(size=128)
    version = fields.String(size=32, required=True)
    state = fields.Enum(ModuleState, required=True)
    dependencies = fields.Json()
    installed_at = fields.DateTime()
    upgraded_at = fields.DateTime()


class ModelDefinition(Model, model="base.ModelDefinition", display_name="Model"):
    """A model as last installed: its code, owner, table and kind."""

    model = fields.String(size=128, required=True, unique=True)
    module = fields.String(size=64, required=True, index=True)
    name = fields.String(size=128, required=True)
    table_name = fields.String(size=128)
    kind = fields.String(size=16, required=True)
    display_name = fields.String(size=128)
    optimistic_lock = fields.Boolean()
    unique_constraints = fields.Json(help="sets of fields unique together: [[field, ...]]")
    fingerprint = fields.String(size=64)


class ModelField(Model, model="base.ModelField", display_name="Field"):
    """A field of an installed model (its schema-relevant description)."""

    model = fields.String(size=128, required=True, index=True)
    field = fields.String(size=128, required=True)
    kind = fields.String(size=32, required=True)
    column_name = fields.String(size=128)
    required = fields.Boolean()
    target = fields.String(size=128)
    description = fields.Json()


class FunctionDefinition(Model, model="base.FunctionDefinition", display_name="Function"):
    """A function of a model or module (filled once functions are declared)."""

    namespace = fields.String(size=128, required=True, index=True)
    fun = fields.String(size=128, required=True)
    name = fields.String(size=128)
    open_level = fields.String(size=16)
    fun_type = fields.String(size=16)
    module = fields.String(size=64)


class ModelData(Model, model="base.ModelData", display_name="Loaded record"):
    """Install registry: which record a data file's external id became (Odoo ir_model_data)."""

    module = fields.String(size=64, required=True)
    external_id = fields.String(size=128, required=True)
    model = fields.String(size=128, required=True)
    res_id = fields.BigInteger(required=True)
    noupdate = fields.Boolean(default=False)


class SchemaState(Model, model="base.SchemaState", display_name="Schema state"):
    """The schema fingerprint the database was last booted to (one row, key 'schema')."""

    key = fields.String(size=32, required=True, unique=True)
    fingerprint = fields.String(size=64, required=True)
    modules = fields.Json()
    applied_at = fields.DateTime()
