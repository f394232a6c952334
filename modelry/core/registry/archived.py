"""The `archived=` model option: the Boolean field that puts a record in the recycle bin.

Lists read for people (the GraphQL list built-ins, or `hide_archived=True`) leave
archived records out unless their filter names the field; reads of one record (by id,
`query_one`, a ManyToOne) and back-end lists always find them (core/data/archived.py).
"""
from __future__ import annotations

from typing import Any

from modelry.core.fields import Boolean, Field
from modelry.errors import DeclarationError


def archive_field(value: Any, fields: dict[str, Field], code: str, module: str, kind: str,
                  inherit: Any) -> str | None:
    """`archived="retired"` checked: a Boolean field of the stored model itself."""
    if value is None:
        return None
    where = f"{module}: model {code}: archived={value!r}"
    if inherit or kind != "store":
        raise DeclarationError(f"{where}: declare it on the stored model itself",
                               module=module, model=code)
    if not isinstance(value, str) or value not in fields:
        raise DeclarationError(f"{where} names no field of the model; give the name of its "
                               "Boolean field that marks a record archived",
                               module=module, model=code, field=str(value))
    if not isinstance(fields[value], Boolean):
        raise DeclarationError(f"{where}: the field is a {fields[value].kind}, not a Boolean",
                               module=module, model=code, field=value)
    return value
