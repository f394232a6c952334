"""What a record shows the caller, field by field (both paths emit records through it)."""
from __future__ import annotations

from typing import Any

from modelry.core import context
from modelry.core.graphql.scalars import finite_or_none


def read_field(source: Any, name: str) -> Any:
    """Default resolver: a record's value, None for fields hidden from the caller (and for
    a float that is not finite: see scalars.finite_or_none)."""
    code = getattr(source, "_model_code", None)
    if code and name in context.hidden_fields(code):
        return None
    return finite_or_none(getattr(source, name))
