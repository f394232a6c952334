"""The built-in functions of every model, as GraphQL resolvers over the data manager.

Queries run with CHECK cleared; create, update and delete with BUILT_ACTION set, as
Oinone's gateway does. The lists (queryPage, queryListByWrapper, countByWrapper) hide
archived records unless the filter names the archive field; queryOne and
queryOneByWrapper find them (core/data/archived.py).
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, List, Optional

import strawberry
from strawberry.types.nodes import SelectedField

from modelry import directives
from modelry.core.functions.pipeline import invoke
from modelry.core.graphql.calls.inputs import UNSET, equality_filters, sent, to_record
from modelry.core.graphql.calls.naming import type_name
from modelry.core.graphql.calls.pages import page_arguments
from modelry.core.graphql.calls.writes import create_builtin, delete_builtin, update_builtin
from modelry.core.graphql.list_limits import check_nested, nested_window
from modelry.core.graphql.schema.namespace import Namespace
from modelry.core.graphql.schema.types import Pagination, QueryWrapper
from modelry.core.registry import ModelMeta, Registry
from modelry.directives import Directive
from modelry.errors import DataError

QUERY_BUILTINS = ("queryPage", "queryOne", "queryOneByWrapper", "queryListByWrapper",
                  "countByWrapper", "construct")
MUTATION_BUILTINS = ("create", "update", "delete")


@contextlib.contextmanager
def _bits(add: Directive = Directive(0), remove: Directive = Directive(0)) -> Iterator[None]:
    with directives.scope((directives.current() | add) & ~remove):
        yield


def asks_totals(info: Any) -> bool:
    """Whether a queryPage selection asks for `totalElements` or `totalPages` (or holds a
    fragment, which might): without them the page is read without its COUNT."""
    for field in info.selected_fields:
        for selection in field.selections:
            if not isinstance(selection, SelectedField) or \
                    selection.name in ("totalElements", "totalPages"):
                return True
    return False


def _rsql(wrapper: Any) -> Any:
    return wrapper.rsql if wrapper is not None else None


class Builtins:
    """Resolvers of one model's built-ins."""

    def __init__(self, registry: Registry, namespace: Namespace, meta: ModelMeta) -> None:
        self.registry = registry
        self.namespace = namespace
        self.meta = meta
        self.name = type_name(meta)

    def _fn(self, fn: Callable[..., Any], returns: str, **arguments: Any) -> Any:
        annotations = {"info": strawberry.Info, **arguments, "return": returns}
        return strawberry.field(resolver=self.namespace.function(fn, annotations))

    def query_fields(self) -> dict[str, Any]:
        """`<name>Query` fields."""
        meta, registry, name = self.meta, self.registry, self.name
        model_class = meta.cls

        def query_page(info: Any, page: Any = None, query_wrapper: Any = None) -> Any:
            current, size, sort = page_arguments(meta, page, info.context.settings)
            totals = asks_totals(info)
            with _bits(remove=Directive.CHECK):
                result = invoke(meta.code, "queryPage", "QUERY",
                                lambda rsql, number, count, order: model_class.query_page(
                                    rsql, page=number, size=count, sort=order, totals=totals,
                                    hide_archived=True),
                                (_rsql(query_wrapper), current, size, sort), {}, builtin=True)
            return self.namespace.module.__dict__[f"{name}Page"](
                content=result.content, total_elements=result.total_elements,
                total_pages=result.total_pages, current_page=result.current_page,
                size=result.size)

        def query_one(info: Any, query: Any) -> Any:
            with _bits(remove=Directive.CHECK):
                identifier = sent(query, "id")
                if identifier is not UNSET and identifier is not None:
                    return invoke(meta.code, "queryOne", "QUERY", model_class.query_by_id,
                                  (identifier,), {}, builtin=True)
                return invoke(meta.code, "queryOne", "QUERY", model_class.query_one, (),
                              equality_filters(meta, query), builtin=True)

        def query_one_by_wrapper(info: Any, query_wrapper: Any) -> Any:
            with _bits(remove=Directive.CHECK):
                return invoke(meta.code, "queryOneByWrapper", "QUERY", model_class.query_one,
                              (_rsql(query_wrapper),), {}, builtin=True)

        def query_list_by_wrapper(info: Any, query_wrapper: Any = None) -> Any:
            limit = info.context.settings.max_page_size
            with _bits(remove=Directive.CHECK):
                found = invoke(meta.code, "queryListByWrapper", "QUERY",
                               lambda rsql, limit: model_class.query_list(
                                   rsql, limit=limit, hide_archived=True),
                               (_rsql(query_wrapper),), {"limit": limit + 1}, builtin=True)
            if len(found) > limit:
                raise DataError(f"{meta.code}: more than {limit} records match; use queryPage",
                                code="PAGE_TOO_LARGE", model=meta.code)
            return found

        def count_by_wrapper(info: Any, query_wrapper: Any = None) -> int:
            with _bits(remove=Directive.CHECK):
                return invoke(meta.code, "countByWrapper", "QUERY",
                              lambda rsql: model_class.count(rsql, hide_archived=True),
                              (_rsql(query_wrapper),), {}, builtin=True)

        def construct(info: Any, data: Any = None) -> Any:
            values = to_record(registry, meta, data) if data is not None else None
            record = invoke(meta.code, "construct", "QUERY", model_class.construct, (), {},
                            builtin=True)
            if values is not None:
                record._values.update(values._values)
                record._related.update(values._related)
            return record

        construct_field = self._fn(construct, name, data=f"Optional[{name}Input]")
        if not meta.stored:  # transient: nothing to query, a record to construct
            return {"construct": construct_field}
        wrapper = Optional[QueryWrapper]
        fields = {
            "queryPage": self._fn(query_page, f"{name}Page", page=Optional[Pagination],
                                  query_wrapper=wrapper),
            "queryOne": self._fn(query_one, f"Optional[{name}]", query=f"{name}Input"),
            "queryOneByWrapper": self._fn(query_one_by_wrapper, f"Optional[{name}]",
                                          query_wrapper=QueryWrapper),
            "queryListByWrapper": self._fn(query_list_by_wrapper, f"List[{name}]",
                                           query_wrapper=wrapper),
            "countByWrapper": self._fn(count_by_wrapper, "int", query_wrapper=wrapper),
        }
        fields["construct"] = construct_field
        return fields

    def mutation_fields(self) -> dict[str, Any]:
        """`<name>Mutation` fields."""
        meta, name = self.meta, self.name

        def create(info: Any, data: Any) -> Any:
            return create_builtin(info.context.app, meta, data)

        def update(info: Any, data: Any) -> Any:
            return update_builtin(info.context.app, meta, data)

        def delete(info: Any, data_list: Any) -> Any:
            return delete_builtin(info.context.app, meta, data_list)

        return {
            "create": self._fn(create, name, data=f"{name}Input"),
            "update": self._fn(update, name, data=f"{name}Input"),
            "delete": self._fn(delete, f"List[{name}]", data_list=f"List[{name}Input]"),
        }


def relation_resolver(namespace: Namespace, field: Any, target: str) -> Callable[..., Any]:
    """Resolver of a to-many field; `rsql` and `size` narrow it (still batched per level),
    and the page-size maximum bounds it (list_limits.py)."""
    name = field.name

    def resolve(root: Any, info: Any, rsql: Optional[str] = None,
                size: Optional[int] = None) -> Any:
        settings = info.context.settings
        if rsql is None and size is None and (
                name in root._related or root._values.get("id") is None):
            found = getattr(root, name)  # held in memory, or an unsaved record's
        else:
            if size is not None and size < 0:
                raise DataError(f"{field.model}.{name}: size must not be negative",
                                code="BAD_PAGE", model=field.model, field=name)
            window = nested_window(field.model, name, size, settings)
            found = info.context.app.data.load_relation(root, name, rsql=rsql, size=window)
        check_nested(field.model, name, found or (), size, settings)
        return found

    return namespace.function(resolve, {"info": strawberry.Info, "rsql": Optional[str],
                                        "size": Optional[int],
                                        "return": f"Optional[List[{target}]]"})


__all__ = ["Builtins", "relation_resolver", "List"]
