"""What an increment may add: numbers of the field's kind, to numeric fields only.

Whatever the directives, a delta is a number of its field's kind (a whole number for
Integer and BigInteger; an int, float or Decimal for Float, Decimal and Money): a None would
make the column NULL and a string would reach SQL arithmetic. With CHECK, each delta must
also fit its field (the integer's range, the decimal's digits and scale), every error
collected, as CHECK validates any written value.
"""
from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

from modelry import directives
from modelry.core.data.validate import check_rows
from modelry.core.data.writable import writable_fields
from modelry.core.fields import Field
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError

INTEGER_KINDS = frozenset({"integer", "biginteger"})
NUMERIC_KINDS = INTEGER_KINDS | {"float", "decimal", "money"}
INTEGER_RANGES = {"integer": (-(2**31), 2**31 - 1), "biginteger": (-(2**63), 2**63 - 1)}


def numeric_fields(manager: Any, meta: ModelMeta, names: set[str]) -> list[Field]:
    """The fields `names` name, sorted by column, each a numeric field the caller may write."""
    if not names:
        raise DataError(f"{meta.code}: an increment needs at least one field and its delta",
                        code="NOTHING_TO_INCREMENT", model=meta.code)
    found = writable_fields(meta, names, "update")
    for name, field in found.items():
        if field.system or field.kind not in NUMERIC_KINDS:
            raise DataError(f"{meta.code}.{name} is a {field.kind} field: only Integer, "
                            "BigInteger, Float, Decimal and Money fields can be incremented",
                            code="NOT_NUMERIC", model=meta.code, field=name)
        if (meta.code, field.name) in manager.write_transforms:
            raise DataError(f"{meta.code}.{name} is transformed before it is written: its "
                            "stored value cannot be incremented", code="NOT_NUMERIC",
                            model=meta.code, field=name)
    return sorted(set(found.values()), key=lambda field: field.column)


def delta_values(meta: ModelMeta, fields: list[Field],
                 changes: list[tuple[int, Mapping[str, Any]]]) -> list[tuple[int, list[Any]]]:
    """Per record id, its deltas in `fields` order (None for a field it does not name:
    that column is left as it is), each a number of its field's kind; checked against the
    fields under CHECK."""
    by_name = {name: field for field in fields for name in (field.name, field.column)}
    planned = []
    for key, deltas in changes:
        values = {by_name[name].name: _number(meta, by_name[name], key, delta)
                  for name, delta in deltas.items()}
        planned.append((key, [values.get(field.name) for field in fields]))
    if directives.is_set(Directive.CHECK):
        named = [{field.name: value for field, value in zip(fields, values) if value is not None}
                 for _, values in planned]
        check_rows(meta, named, partial=True, labels=[f"record {key}" for key, _ in planned])
    return planned


def _number(meta: ModelMeta, field: Field, key: int, delta: Any) -> Any:
    whole = field.kind in INTEGER_KINDS
    valid = (int,) if whole else (int, float, decimal.Decimal)
    if isinstance(delta, bool) or not isinstance(delta, valid):
        wanted = "a whole number (int)" if whole else "a number (int, float or Decimal)"
        raise DataError(f"{meta.code}.{field.name}: the increment of record {key} must be "
                        f"{wanted}, not {delta!r}", code="NOT_A_NUMBER", model=meta.code,
                        field=field.name)
    return field.to_db(delta)  # Decimal for decimals; NaN and ±infinity refused


def in_range(meta: ModelMeta, field: Field, key: int, value: Any) -> Any:
    """`value` (a computed sum), or INVALID_VALUE when an integer field cannot hold it (as
    PostgreSQL and MariaDB refuse it)."""
    bounds = INTEGER_RANGES.get(field.kind)
    if bounds is not None and value is not None and not bounds[0] <= value <= bounds[1]:
        raise DataError(f"{meta.code}.{field.name}: record {key} would hold {value}, out of "
                        f"the {field.kind} range {bounds[0]}..{bounds[1]}",
                        code="INVALID_VALUE", model=meta.code, field=field.name)
    return value
