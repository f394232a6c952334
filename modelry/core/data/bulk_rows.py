"""Rows for a bulk insert: plain dicts by field name in, column values out, no records.

Each row is filled as `create()` fills a record: under DEFAULT_VALUE every field with a
default that the row leaves out gets it (a callable default is called per row); otherwise
a field some rows give and others leave out takes, in those, what the column would give
it (its constant default, else NULL). Values are checked under CHECK (all rows in one
pydantic call), passed through the model's write transforms and the fields' `to_db`, and
the audit fields (and `opt_version` 0) are added.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from modelry import directives
from modelry.core.data.validate import check_rows
from modelry.core.data.writable import writable_fields
from modelry.core.data.write import utc_now
from modelry.core.fields import Field, ManyToOne
from modelry.core.fields.base import NOTHING
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError

SYSTEM_NAMES = frozenset({"id", "create_date", "write_date", "create_uid", "write_uid",
                          "opt_version"})


@dataclass(frozen=True)
class _Column:
    """How one field of a row becomes one column value."""

    name: str                               # the field name a row gives it under
    alias: str | None                       # or a ManyToOne's column name (`shop_id`)
    column: str
    absent: Callable[[], Any]               # what a row that leaves it out holds
    convert: Callable[[Any], Any] | None    # None: the value goes as it is


def prepare_rows(manager: Any, meta: ModelMeta, rows: Sequence[Mapping[str, Any]]
                 ) -> list[dict[str, Any]]:
    """Column → database value for each row, every row with the same columns (`id` only
    in the rows that give one)."""
    fields = _fields(meta, rows)
    plan = [_Column(field.name, field.column if field.column != field.name else None,
                    field.column, _absent_value(field), _converter(manager, meta, field))
            for field in fields.values() if field.name != "id"]
    if directives.is_set(Directive.CHECK):
        rows = _checked(meta, plan, rows)
    now, user = utc_now(), manager.user_id()
    audit = {"create_date": now, "write_date": now, "create_uid": user, "write_uid": user}
    if meta.optimistic_lock:
        audit["opt_version"] = 0
    prepared = []
    shape: Any = None
    columns: tuple[str, ...] = ()
    read: Callable[[Mapping[str, Any]], tuple[Any, ...]] = tuple
    converted: list[tuple[str, str, Callable[[Any], Any]]] = []
    absents: list[tuple[str, Callable[[], Any], Callable[[Any], Any] | None]] = []
    for row in rows:
        if row.keys() != shape:  # rows naming the same fields read them the same way
            columns, read, converted, absents = _split(_recipe(meta, plan, row))
            shape = row.keys()
        values = dict(zip(columns, read(row)))      # the values that go as they are
        for column, source, convert in converted:
            values[column] = convert(row[source])
        for column, absent, convert in absents:
            value = absent()
            values[column] = value if convert is None else convert(value)
        values.update(audit)
        key = row.get("id")
        if key is not None:
            values["id"] = key
        prepared.append(values)
    return prepared


def _split(recipe: list[_Read]) -> tuple[tuple[str, ...], Callable[[Mapping[str, Any]],
                                                                  tuple[Any, ...]],
                                         list[tuple[str, str, Callable[[Any], Any]]],
                                         list[tuple[str, Callable[[], Any],
                                                    Callable[[Any], Any] | None]]]:
    """A recipe as the columns read as they are (and one getter reading them all at
    once), the columns converted, and the columns a row leaves out."""
    plain = [(column, source) for column, source, _, convert in recipe
             if source is not None and convert is None]
    converted = [(column, source, convert) for column, source, _, convert in recipe
                 if source is not None and convert is not None]
    absents = [(column, absent, convert) for column, source, absent, convert in recipe
               if source is None]
    sources = [source for _, source in plain]
    if len(sources) == 1:
        only = sources[0]
        return (plain[0][0],), lambda row: (row[only],), converted, absents
    getter = itemgetter(*sources) if sources else (lambda row: ())
    return tuple(column for column, _ in plain), getter, converted, absents


# a column, the key its value is read under (None: the row leaves it out), what it holds
# then, and its converter
_Read = tuple[str, str | None, Callable[[], Any], Callable[[Any], Any] | None]


def _recipe(meta: ModelMeta, plan: list[_Column], row: Mapping[str, Any]) -> list[_Read]:
    """How each column's value is read from rows naming the fields `row` names."""
    recipe = []
    for column in plan:
        if column.name in row:
            if column.alias is not None and column.alias in row:
                _given_twice(meta, column)
            source: str | None = column.name
        elif column.alias is not None and column.alias in row:
            source = column.alias
        else:
            source = None
        recipe.append((column.column, source, column.absent, column.convert))
    return recipe


def _fields(meta: ModelMeta, rows: Sequence[Mapping[str, Any]]) -> dict[str, Field]:
    """Field name → field, for every name some row gives (and, under DEFAULT_VALUE, every
    field with a default)."""
    for row in rows:
        if not isinstance(row, Mapping):
            raise DataError(f"{meta.code}: insert_bulk takes dicts of field values, not "
                            f"{type(row).__name__}", code="BAD_ROW", model=meta.code)
    names: set[str] = set().union(*rows)
    # a client's null id or audit value writes nothing: the checks need the values there
    sample = {name: next((row[name] for row in rows if row.get(name) is not None), None)
              for name in names if name in SYSTEM_NAMES}
    found = writable_fields(meta, names, "create", sample)
    fields: dict[str, Field] = {}
    for name, field in found.items():
        if field.system and field.name != "id":
            raise DataError(f"{meta.code}.{name}: the server sets it; insert_bulk cannot",
                            code="FIELD_NOT_WRITABLE", model=meta.code, field=name)
        fields[field.name] = field
    if directives.is_set(Directive.DEFAULT_VALUE):
        for field in meta.fields.values():
            if field.stored and not field.system and field.has_default():
                fields.setdefault(field.name, field)
    return fields


def _checked(meta: ModelMeta, plan: list[_Column], rows: Sequence[Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
    """CHECK: every row by field name, defaults filled, validated in one pydantic call and
    converted (a required field left None is reported missing)."""
    required = {column.name for column in plan if meta.fields[column.name].required}
    named = []
    for row in rows:
        values = {}
        for column in plan:
            if column.name in row:
                value = row[column.name]
            elif column.alias is not None and column.alias in row:
                value = row[column.alias]
            else:
                value = column.absent()
            if value is not None or column.name not in required:
                values[column.name] = value
        named.append(values)
    checked = check_rows(meta, named, partial=False)
    for row, values in zip(rows, checked):
        if row.get("id") is not None:
            values["id"] = row["id"]
    return checked


def _given_twice(meta: ModelMeta, column: _Column) -> None:
    raise DataError(f"{meta.code}.{column.name} is given twice in one row (as "
                    f"{column.name!r} and {column.alias!r})", code="DUPLICATE_FIELD",
                    model=meta.code, field=column.name)


def _absent_value(field: Field) -> Callable[[], Any]:
    """What a row that leaves `field` out holds, as create() would store it."""
    if directives.is_set(Directive.DEFAULT_VALUE) and field.has_default():
        return field.default_value  # called per row: a callable default gives each its own
    # the column's own default: a constant one (Json and Binary columns have none)
    value = None if field.static_default() is NOTHING else field.default_value()
    return lambda: value


def _converter(manager: Any, meta: ModelMeta, field: Field) -> Callable[[Any], Any] | None:
    """Python value → database value: the record's id for a ManyToOne given a record, the
    model's write transform, then `to_db` (None when all of that is the identity)."""
    transform = manager.write_transforms.get((meta.code, field.name))
    if isinstance(field, ManyToOne):
        def record_id(value: Any) -> Any:
            if not hasattr(value, "_values"):
                return value
            if value.id is None:
                raise DataError(f"{meta.code}.{field.name}: the record it names is not "
                                "saved yet", code="ID_REQUIRED", model=meta.code,
                                field=field.name)
            return value.id
        return record_id
    if transform is not None:
        to_db = field.to_db
        return lambda value: to_db(transform(value))
    return None if type(field).to_db is Field.to_db else field.to_db
