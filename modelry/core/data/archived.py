"""Lists that hide archived records (the recycle bin of a model declared `archived=`).

The rule, Odoo's `active` made explicit: a list read with `hide_archived` (the GraphQL
list built-ins; Python callers opt in) leaves out the records whose archive field is
true, unless its filter names that field (`retired==true`, `retired=in=(true,false)`,
`retired=True`): then the filter alone decides. Back-end lists, counts and writes read
every row their filter matches, and a read of one record always finds it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from modelry.core.registry import ModelMeta
from modelry.core.rsql import RsqlError, parse
from modelry.core.rsql.nodes import comparisons
from modelry.core.rsql.paths import find_field


def unarchived(meta: ModelMeta, table: sa.Table, rsql: Any,
               filters: Mapping[str, Any] | None) -> list[sa.ColumnElement[bool]]:
    """The WHERE conditions that keep `meta`'s archived records out of a list: none when
    the model has no archive field or the filter names it."""
    if meta.archived is None or names_field(meta, meta.archived, rsql, filters):
        return []
    field = meta.fields[meta.archived]
    column = table.c[field.column]
    kept = column == field.to_db(False)
    return [kept if field.required else sa.or_(kept, column.is_(None))]


def names_field(meta: ModelMeta, name: str, rsql: Any,
                filters: Mapping[str, Any] | None) -> bool:
    """Whether the keyword filters or the RSQL compare field `name` of `meta` itself (not
    across a relation)."""
    if any(key.partition("__")[0] == name for key in filters or ()):
        return True
    if rsql is None or rsql == "":
        return False
    try:
        node = parse(rsql) if isinstance(rsql, str) else rsql
    except RsqlError:
        return False  # compiling the filter reports it
    field = meta.fields[name]
    return any("." not in c.selector and find_field(meta, c.selector) is field
               for c in comparisons(node))
