"""Users, roles and the records that grant rights (managed through the same API)."""
from __future__ import annotations

from modelry import Model, fields


class Role(Model, model="base.Role", display_name="Role"):
    """A set of rights; users hold roles. `anonymous` is the role of callers without a token."""

    code = fields.String(size=64, required=True, unique=True)
    name = fields.String(size=128)


class User(Model, model="base.User", display_name="User"):
    """Someone who logs in. `password` is stored hashed and never returned."""

    login = fields.String(size=128, required=True, unique=True)
    name = fields.String(size=128)
    active = fields.Boolean(default=True)
    is_admin = fields.Boolean(default=False)
    password = fields.String(size=255, write_only=True)
    roles = fields.ManyToMany("base.Role")


class AuthToken(Model, model="base.AuthToken", display_name="Session token"):
    """A bearer token (stored as a hash), until it expires or is revoked."""

    user = fields.ManyToOne("base.User", required=True, on_delete="CASCADE")
    token_hash = fields.String(size=64, required=True, unique=True, write_only=True)
    expires_at = fields.DateTime(required=True)
    revoked = fields.Boolean(default=False)


class ModelAccess(Model, model="base.ModelAccess", display_name="Model right"):
    """What a role may do with a model (`model` is the model code, e.g. 'demo.PetShop')."""

    role = fields.ManyToOne("base.Role", required=True, on_delete="CASCADE")
    model = fields.String(size=128, required=True, index=True)
    perm_read = fields.Boolean(default=True)
    perm_create = fields.Boolean(default=False)
    perm_update = fields.Boolean(default=False)
    perm_delete = fields.Boolean(default=False)


class FunctionAccess(Model, model="base.FunctionAccess", display_name="Function right"):
    """A role may call a function: `namespace` (model code or module) and `fun` name."""

    role = fields.ManyToOne("base.Role", required=True, on_delete="CASCADE")
    namespace = fields.String(size=128, required=True, index=True)
    fun = fields.String(size=128, required=True)


class RecordRule(Model, model="base.RecordRule", display_name="Record rule"):
    """Rows of `model` a role may touch: an RSQL filter (placeholders like $#{currentUserId})."""

    role = fields.ManyToOne("base.Role", required=True, on_delete="CASCADE")
    model = fields.String(size=128, required=True, index=True)
    rsql = fields.String(size=1024, required=True)
    perm_read = fields.Boolean(default=True)
    perm_update = fields.Boolean(default=True)
    perm_delete = fields.Boolean(default=True)


class FieldAccess(Model, model="base.FieldAccess", display_name="Field rule"):
    """A field of `model` hidden from, or read-only for, a role."""

    role = fields.ManyToOne("base.Role", required=True, on_delete="CASCADE")
    model = fields.String(size=128, required=True, index=True)
    field = fields.String(size=128, required=True)
    hidden = fields.Boolean(default=False)
    readonly = fields.Boolean(default=False)
