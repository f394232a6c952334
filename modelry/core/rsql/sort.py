"""Sort specifications → ORDER BY keys, checked against the model's metadata.

Accepts `"name,-income,+rank"` (a `-` sorts descending) or the GraphQL
`sort.orders` form `[{"field": "income", "direction": "DESC"}]`. Paths may cross
ManyToOne relations (`shop.name`, a correlated scalar subquery). NULL sorts as the
smallest value on every database: first ascending, last descending (the native order of
SQLite and MariaDB; PostgreSQL is told `NULLS FIRST`/`NULLS LAST`, but only for keys that
can be NULL, so an index on a NOT NULL column still serves the sort there).
`compile_stable_sort` makes the order total with an `id` tie-breaker that runs in the
direction of the last key, so one index walk (forward or backward) can serve the page.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from modelry.core.fields import ManyToOne
from modelry.core.registry import ModelMeta
from modelry.core.rsql.errors import RsqlSortError, RsqlTooLong
from modelry.core.rsql.limits import DEFAULT_LIMITS
from modelry.core.rsql.paths import resolve
from modelry.core.rsql.relations import scalar_through
from modelry.core.rsql.schema_view import SchemaView

UNSORTABLE = frozenset({"json", "binary"})
_NULLS_LARGEST = ("postgresql", "oracle")  # dialects where NULL sorts last ascending


class SortKey(sa.ColumnElement[Any]):
    """One ORDER BY key where NULL sorts as the smallest value on every database.

    `nullable` False (a NOT NULL column) leaves the NULLS clause out; `unique` True (a
    unique NOT NULL column) means the key alone orders the rows totally.
    """

    __visit_name__ = "rsql_sort_key"
    inherit_cache = True
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("key", InternalTraversal.dp_clauseelement),
        ("descending", InternalTraversal.dp_boolean),
        ("nullable", InternalTraversal.dp_boolean)]

    def __init__(self, key: sa.ColumnElement[Any], descending: bool, nullable: bool = True,
                 unique: bool = False) -> None:
        self.key = key
        self.descending = descending
        self.nullable = nullable
        self.unique = unique and not nullable
        self.type = key.type


@compiles(SortKey)
def _compile_sort_key(element: SortKey, compiler: Any, **kw: Any) -> str:
    key = element.key.desc() if element.descending else element.key.asc()
    if element.nullable and compiler.dialect.name in _NULLS_LARGEST:
        key = key.nulls_last() if element.descending else key.nulls_first()
    return compiler.process(key, **kw)


def compile_stable_sort(sort: str | Sequence[Mapping[str, Any]] | None, model: ModelMeta,
                        schema: SchemaView) -> list[SortKey]:
    """`compile_sort`'s keys as a total order: cut after the first unique NOT NULL key
    (such as `id`), else followed by `id` in the direction of the last key."""
    keys = compile_sort(sort, model, schema)
    for index, key in enumerate(keys):
        if key.unique:
            return keys[:index + 1]
    descending = keys[-1].descending if keys else False
    return [*keys, SortKey(schema.table(model).c.id, descending, nullable=False, unique=True)]


def compile_sort(sort: str | Sequence[Mapping[str, Any]] | None, model: ModelMeta,
                 schema: SchemaView) -> list[SortKey]:
    """ORDER BY keys for `sort` over `schema.table(model)`; RsqlError when refused."""
    keys: list[SortKey] = []
    for selector, descending, position in _items(sort):
        path = resolve(schema.registry, model, selector, position)
        if path.to_many:
            raise RsqlSortError(f"cannot sort on {selector!r}: it crosses a one-to-many or "
                                "many-to-many relation", position=position, model=model.code,
                                field=selector)
        field = path.field
        if field.kind in UNSORTABLE:
            raise RsqlSortError(f"cannot sort on {field.kind} field {field.name!r} of model "
                                f"{path.owner.code}", position=position,
                                model=path.owner.code, field=field.name)
        steps = [step for step in path.steps if isinstance(step, ManyToOne)]
        if steps and field.name == "id":
            steps, field = steps[:-1], steps[-1]  # shop.id is the column shop_id
        key = scalar_through(schema, schema.table(model), steps, field)
        if steps:  # a related row may be missing (or unreadable): NULL
            keys.append(SortKey(key, descending))
        else:
            keys.append(SortKey(key, descending, nullable=bool(key.nullable),  # type: ignore
                                unique=field.name == "id" or bool(field.unique)))
    return keys


def _items(sort: str | Sequence[Mapping[str, Any]] | None) -> list[tuple[str, bool, int]]:
    """(selector, descending?, position) per item; position is an offset or a list index."""
    if sort is None:
        return []
    if isinstance(sort, str):
        return _string_items(sort)
    items: list[tuple[str, bool, int]] = []
    for index, order in enumerate(sort):
        if not isinstance(order, Mapping) or not isinstance(order.get("field"), str):
            raise RsqlSortError(f"sort order {index} needs a 'field' name", position=index)
        selector = order["field"].strip()
        if not selector:
            raise RsqlSortError(f"sort order {index} names no field", position=index)
        items.append((selector, _descending(order.get("direction"), index), index))
    return items


def _string_items(sort: str) -> list[tuple[str, bool, int]]:
    if len(sort) > DEFAULT_LIMITS.max_length:
        raise RsqlTooLong(f"sort is {len(sort)} characters long; the limit is "
                          f"{DEFAULT_LIMITS.max_length}", position=DEFAULT_LIMITS.max_length)
    items: list[tuple[str, bool, int]] = []
    offset = 0
    for part in sort.split(","):
        position = offset + len(part) - len(part.lstrip())
        offset += len(part) + 1
        item = part.strip()
        if not item:
            if sort.strip():
                raise RsqlSortError("empty sort item", position=position)
            continue
        descending = item.startswith("-")
        selector = item[1:].lstrip() if item[0] in "+-" else item
        if not selector:
            raise RsqlSortError(f"sort item {item!r} names no field", position=position)
        items.append((selector, descending, position + len(item) - len(selector)))
    return items


def _descending(direction: Any, index: int) -> bool:
    if isinstance(direction, enum.Enum):
        direction = direction.value if isinstance(direction.value, str) else direction.name
    if direction is None:
        return False
    spelled = str(direction).strip().upper()
    if spelled not in ("ASC", "DESC"):
        raise RsqlSortError(f"sort direction {direction!r} must be ASC or DESC", position=index)
    return spelled == "DESC"
