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
    found = _sent_values(meta, data)
    if intent is not None and directives.is_set(Directive.FROM_CLIENT):
        refuse_client_values(meta, {name: value for name, (_, value, _) in found.items()},
                             intent)
    record = meta.cls()
    locked = context.readonly_fields(meta.code)
    for name, (field, value, as_record) in found.items():
        if name in locked:
            raise DataError(f"access denied: you may not write {meta.code}.{name}",
                            code="ACCESS_DENIED", model=meta.code, field=name)
        if value is not None and as_record:
            if isinstance(field, ManyToOne):
                value = _reference(registry, registry.model(field.target), value, intent)
            elif isinstance(field, Relation):
                target = registry.model(field.target)
                value = [_reference(registry, target, item, intent) for item in value]
        if field.system:
            record._values[name] = value
        else:
            setattr(record, name, value)
    return record


def _sent_values(meta: ModelMeta, data: Any) -> dict[str, tuple[Any, Any, bool]]:
    """Field name → (field, value the client sent, whether sent as a record or list of
    them rather than by id), in the model's field order: a many-to-one is sent by record
    (`<name>`) or by id (`<name>_id`)."""
    if data is None:
        return {}
    slots = getattr(data, "__dict__", None)
    get = slots.get if slots is not None else lambda name, default: getattr(
        data, name, default)
    values = {}
    for name, field in meta.fields.items():
        value = get(name, UNSET)
        if value is not UNSET:
            values[name] = (field, value, True)
        elif isinstance(field, ManyToOne):
            value = get(f"{name}_id", UNSET)
            if value is not UNSET:
                values[name] = (field, value, False)
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
