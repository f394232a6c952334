"""CHECK: validate record values with pydantic, collecting every error."""
from __future__ import annotations

from typing import Annotated, Any

import pydantic
from pydantic_core import PydanticCustomError

from modelry.core.fields import Field, ManyToOne, Relation
from modelry.core.fields.finite import MESSAGE, NOT_FINITE, is_finite
from modelry.core.registry import ModelMeta
from modelry.errors import ValidationFailed

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def _annotation(field: Field) -> Any:
    kind = field.kind
    if kind == "string":
        return Annotated[str, pydantic.Field(max_length=field.size)]  # type: ignore[attr-defined]
    if kind == "integer":
        return Annotated[int, pydantic.Field(ge=INT32[0], le=INT32[1])]
    if kind in ("biginteger", "many2one"):
        return Annotated[int, pydantic.Field(ge=INT64[0], le=INT64[1])]
    if kind in ("decimal", "money"):
        digits = field.precision - field.scale  # type: ignore[attr-defined]
        return Annotated[Any, pydantic.AfterValidator(_decimal_check(digits, field.scale)),  # type: ignore
                         pydantic.BeforeValidator(_to_decimal)]
    if kind == "float":
        return Annotated[float, pydantic.AfterValidator(_finite)]
    if kind == "enum":
        return field.enum_class  # type: ignore[attr-defined]
    if kind == "json":
        return Any
    return field.python_type


def _to_decimal(value: Any) -> Any:
    import decimal
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, (int, float, str)):
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    if isinstance(value, decimal.Decimal):
        return value
    raise ValueError(f"{value!r} is not a number")


def _finite(value: Any) -> Any:
    """NaN and ±infinity fail with the code NOT_FINITE (as the field's to_db refuses them)."""
    if not is_finite(value):
        raise PydanticCustomError(NOT_FINITE.lower(), f"{MESSAGE}, not {value}")
    return value


def _decimal_check(integer_digits: int, scale: int) -> Any:
    def check(value: Any) -> Any:
        _finite(value)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > scale:
            raise ValueError(f"at most {scale} digits after the decimal point")
        if value.adjusted() + 1 > integer_digits:
            raise ValueError(f"at most {integer_digits} digits before the decimal point")
        return value
    return check


def _checked_fields(meta: ModelMeta) -> list[Field]:
    return [f for f in meta.fields.values()
            if f.stored and not f.system and not isinstance(f, Relation)
            or isinstance(f, ManyToOne)]


def _validator(meta: ModelMeta, partial: bool) -> type[pydantic.BaseModel]:
    cache = meta.__dict__.setdefault("_check_models", {})
    if partial not in cache:
        cache[partial] = _build_validator(meta, partial)
    return cache[partial]


def _build_validator(meta: ModelMeta, partial: bool) -> type[pydantic.BaseModel]:
    definitions: dict[str, Any] = {}
    for field in _checked_fields(meta):
        annotation = _annotation(field)
        if field.required and not partial:
            definitions[field.name] = (annotation, ...)
        else:  # optional, or an update (absent is fine; check_values reports a required None)
            definitions[field.name] = (annotation | None, None)
    config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    return pydantic.create_model(f"{meta.name}Check", __config__=config, **definitions)


def check_values(meta: ModelMeta, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate `values` (by field name); returns them converted, or raises with every error.

    `partial` (updates) checks only the given fields; otherwise required fields must be there.
    """
    errors: list[dict[str, Any]] = []
    if partial:
        for name, value in values.items():
            field = meta.fields.get(name)
            if field is not None and field.required and value is None:
                errors.append(_error(meta, name, "REQUIRED", "a value is required"))
    validator = _validator(meta, partial)
    try:
        validated = validator.model_validate(values)
    except pydantic.ValidationError as failure:
        for item in failure.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            code = "REQUIRED" if item["type"] == "missing" else item["type"].upper()
            message = "a value is required" if code == "REQUIRED" else item["msg"]
            errors.append(_error(meta, name, code, message))
    if errors:
        raise ValidationFailed(meta.code, errors)
    return {name: getattr(validated, name) for name in values if name in validator.model_fields}


def _error(meta: ModelMeta, field: str, code: str, message: str) -> dict[str, Any]:
    return {"model": meta.code, "field": field, "code": code, "message": message}


def check_rows(meta: ModelMeta, rows: list[dict[str, Any]], *, partial: bool,
               labels: list[str] | None = None) -> list[dict[str, Any]]:
    """`check_values` for many rows in one pydantic call; every error names its row (as
    `labels[i]`, else `row i`) in its message and under `row`."""
    def row_error(index: int, name: str, code: str, message: str) -> dict[str, Any]:
        label = labels[index] if labels else f"row {index}"
        return {**_error(meta, name, code, f"{label}: {message}"), "row": index}

    errors: list[dict[str, Any]] = []
    if partial:  # absent is fine, but a required field cannot be set to None
        errors = [row_error(index, name, "REQUIRED", "a value is required")
                  for index, row in enumerate(rows) for name, value in row.items()
                  if value is None and getattr(meta.fields.get(name), "required", False)]
    try:
        validated = _rows_adapter(meta, partial).validate_python(rows)
    except pydantic.ValidationError as failure:
        for item in failure.errors():
            index, name = int(item["loc"][0]), ".".join(map(str, item["loc"][1:2]))
            code = "REQUIRED" if item["type"] == "missing" else item["type"].upper()
            message = "a value is required" if code == "REQUIRED" else item["msg"]
            errors.append(row_error(index, name, code, message))
    if errors:
        raise ValidationFailed(meta.code, errors)
    return [{name: getattr(checked, name) for name in row}
            for row, checked in zip(rows, validated)]


def _rows_adapter(meta: ModelMeta, partial: bool) -> pydantic.TypeAdapter[Any]:
    cache = meta.__dict__.setdefault("_check_models", {})
    key = ("rows", partial)
    if key not in cache:
        cache[key] = pydantic.TypeAdapter(list[_validator(meta, partial)])  # type: ignore[misc]
    return cache[key]
