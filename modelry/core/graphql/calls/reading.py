"""What a record shows the caller, field by field (both paths emit records through it)."""
from __future__ import annotations

from typing import Any, Callable

from modelry.core import context
from modelry.core.graphql.scalars import finite_or_none


def read_field(source: Any, name: str) -> Any:
    """Default resolver: a record's value, None for fields hidden from the caller (and for
    a float that is not finite: see scalars.finite_or_none)."""
    return field_reader(source)(name)


def field_reader(source: Any) -> Callable[[str], Any]:
    """`read_field` for several fields of `source`: the caller's field rules looked up once."""
    code = getattr(source, "_model_code", None)
    hidden = context.hidden_fields(code) if code else frozenset()

    def read(name: str) -> Any:
        return None if name in hidden else finite_or_none(getattr(source, name))
    return read
