"""The fields a bulk or conditional write may name: stored ones, and for a client caller
only those its field rules and the model's declarations let it write."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.data.client_writes import Intent, refuse_client_values
from modelry.core.fields import Field, ManyToOne
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError


def stored_field(meta: ModelMeta, name: str) -> Field:
    """The stored field `name` names (a ManyToOne also by its column, `shop_id`)."""
    field = meta.fields.get(name)
    if field is None and name.endswith("_id"):
        candidate = meta.fields.get(name[:-3])
        field = candidate if isinstance(candidate, ManyToOne) else None
    if field is None:
        raise DataError(f"{meta.code}: unknown field {name!r}", code="UNKNOWN_FIELD",
                        model=meta.code, field=name)
    if not field.stored:
        raise DataError(f"{meta.code}.{name} is a {field.kind} relation: it has no column; "
                        "write it with create() or update_by_id()", code="NOT_A_COLUMN",
                        model=meta.code, field=name)
    return field


def refuse_unwritable(meta: ModelMeta, sent: Mapping[str, Any], intent: Intent) -> None:
    """Raise FIELD_NOT_WRITABLE for a field of `sent` (field name → a value sent) that the
    caller may not write: one its field rules hide or make read-only (client callers), or,
    when the values come from a client (FROM_CLIENT), a system or `readonly=True` field."""
    locked = context.readonly_fields(meta.code)  # empty for back-end code and admins
    for name in sent:
        if name in locked:
            raise DataError(f"{meta.code}.{name}: your field rules do not let you write it "
                            f"(on {intent})", code="FIELD_NOT_WRITABLE", model=meta.code,
                            field=name)
    if directives.is_set(Directive.FROM_CLIENT):
        refuse_client_values(meta, sent, intent)


def writable_fields(meta: ModelMeta, names: Iterable[str], intent: Intent,
                    sample: Mapping[str, Any] | None = None) -> dict[str, Field]:
    """Name as given → stored field, each one the caller may write (`sample` holds a value
    per name for the client checks: a null id or version writes nothing)."""
    found = {name: stored_field(meta, name) for name in names}
    sent = {field.name: (sample or {}).get(name, True) for name, field in found.items()}
    refuse_unwritable(meta, sent, intent)
    return found


def require_right(meta: ModelMeta, perm: str) -> None:
    """Refuse a client caller (AUTHENTICATE set) without the model right `perm` (create or
    update), as the permission hook refuses the built-in calls."""
    context.guard_call(meta.code, {"create": "createBatch", "update": "updateBatch"}[perm])
