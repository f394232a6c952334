"""GraphQL input objects → records (only the fields the client sent)."""
from __future__ import annotations

from typing import Any

import strawberry

from modelry import directives
from modelry.core import context
from modelry.core.data.client_writes import Intent, refuse_client_values
from modelry.core.fields import ManyToOne, Relation
from modelry.core.registry import ModelMeta, Registry
from modelry.directives import Directive
from modelry.errors import DataError

UNSET = strawberry.UNSET


def sent(data: Any, name: str) -> Any:
    """The value the client sent for `name`, or UNSET."""
    return getattr(data, name, UNSET) if data is not None else UNSET


def to_record(registry: Registry, meta: ModelMeta, data: Any,
              intent: Intent | None = None) -> Any:
    """A record of `meta` holding exactly the sent values (relations included).

    With an `intent` (the client creates or updates the record), values a client may not
    write are refused first (see `client_writes`); nested new records count as creates.
    """
    if intent is not None and directives.is_set(Directive.FROM_CLIENT):
        refuse_client_values(meta, _sent_values(meta, data), intent)
    record = meta.cls()
    locked = context.readonly_fields(meta.code)
    for field in meta.fields.values():
        value = sent(data, field.name)
        if field.name in locked and value is not UNSET:
            raise DataError(f"access denied: you may not write {meta.code}.{field.name}",
                            code="ACCESS_DENIED", model=meta.code, field=field.name)
        if isinstance(field, ManyToOne):
            by_id = sent(data, f"{field.name}_id")
            if value is UNSET and by_id is not UNSET:
                value = by_id
            elif value is not UNSET and value is not None:
                value = _reference(registry, registry.model(field.target), value, intent)
        elif isinstance(field, Relation) and value is not UNSET and value is not None:
            target = registry.model(field.target)
            value = [_reference(registry, target, item, intent) for item in value]
        if value is UNSET:
            continue
        if field.system:
            record._values[field.name] = value
        else:
            setattr(record, field.name, value)
    return record


def _sent_values(meta: ModelMeta, data: Any) -> dict[str, Any]:
    """Field name → value the client sent (a many-to-one by record or by `<name>_id`)."""
    values = {}
    for field in meta.fields.values():
        value = sent(data, field.name)
        if value is UNSET and isinstance(field, ManyToOne):
            value = sent(data, f"{field.name}_id")
        if value is not UNSET:
            values[field.name] = value
    return values


def _reference(registry: Registry, target: ModelMeta, item: Any,
               intent: Intent | None = None) -> Any:
    """An id when the item only names an existing record, else a record (to create when
    it has no id)."""
    given = [f.name for f in target.fields.values()
             if sent(item, f.name) is not UNSET and f.name != "id"]
    identifier = sent(item, "id")
    named = identifier is not UNSET and identifier is not None
    if named and not given:
        return identifier
    return to_record(registry, target, item,
                     None if intent is None else "update" if named else "create")


def equality_filters(meta: ModelMeta, data: Any) -> dict[str, Any]:
    """Keyword filters from the scalar and ManyToOne values sent (for queryOne)."""
    filters = {}
    hidden = context.hidden_fields(meta.code)
    for field in meta.columns:
        value = sent(data, field.name)
        if (field.name in hidden or field.write_only) and value is not UNSET:
            raise DataError(f"{meta.code}: cannot match on {field.name!r}",
                            code="ACCESS_DENIED", model=meta.code)
        if isinstance(field, ManyToOne):
            reference = value if value is not UNSET else sent(data, f"{field.name}_id")
            if reference is not UNSET:
                if hasattr(reference, "__dict__"):  # a nested input: only its id can match
                    reference = sent(reference, "id")
                    if reference is UNSET:
                        raise DataError(f"{meta.code}.{field.name}: match a many-to-one by its "
                                        "id", code="ID_REQUIRED", model=meta.code,
                                        field=field.name)
                filters[field.column] = reference
        elif value is not UNSET:
            filters[field.name] = value
    return filters
