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
from modelry.core.data.deletes import distinct_by_id
from modelry.core.functions.pipeline import invoke
from modelry.core.graphql.inputs import UNSET, equality_filters, sent, to_record
from modelry.core.graphql.list_limits import check_nested, nested_window
from modelry.core.graphql.namespace import Namespace
from modelry.core.graphql.types import Pagination, QueryWrapper, type_name
from modelry.core.registry import ModelMeta, Registry
from modelry.directives import Directive
from modelry.errors import DataError, OptimisticLockError

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


def page_arguments(meta: ModelMeta, page: Any, settings: Any) -> tuple[int, int, Any]:
    """(current page, size, sort) from a `Pagination` input, checked against the limits."""
    # 0 is a page the client asked for (refused below), not a missing one
    current = page.current_page if page is not None and page.current_page is not None else 1
    size = page.size if page is not None and page.size is not None \
        else min(settings.default_page_size, settings.max_page_size)
    if size > settings.max_page_size:
        raise DataError(f"{meta.code}: page size {size} is over the maximum "
                        f"{settings.max_page_size}", code="PAGE_TOO_LARGE", model=meta.code)
    if current < 1 or size < 1:
        raise DataError(f"{meta.code}: currentPage and size must be at least 1",
                        code="BAD_PAGE", model=meta.code)
    orders = page.sort.orders if page is not None and page.sort and page.sort.orders else None
    sort = [{"field": o.field, "direction": getattr(o.direction, "value", o.direction) or "ASC"}
            for o in orders] if orders else None
    return current, size, sort


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


def create_builtin(app: Any, meta: ModelMeta, data: Any) -> Any:
    """The `create` built-in: a new record of `meta` from `data` (the values a client sent,
    read by attribute), refused values checked first. GraphQL and the admin call it."""
    record = to_record(app.registry, meta, data, "create")
    with _bits(add=Directive.BUILT_ACTION):
        return invoke(meta.code, "create", "CREATE", lambda r: r.create(), (record,), {},
                      builtin=True)


def update_builtin(app: Any, meta: ModelMeta, data: Any) -> Any:
    """The `update` built-in: write the values `data` sends to the record it names by id;
    RECORD_NOT_FOUND when it is gone or outside the caller's rules, OptimisticLockError
    when the version it carries is stale. Returns the record as stored."""
    record = to_record(app.registry, meta, data, "update")
    if record.id is None:
        raise DataError(f"{meta.code}: update needs the record's id", code="ID_REQUIRED",
                        model=meta.code, field="id")
    with _bits(add=Directive.BUILT_ACTION):
        if invoke(meta.code, "update", "UPDATE", lambda r: r.update_by_id(), (record,),
                  {}, builtin=True):
            return meta.cls.query_by_id(record.id)
        rule = app.data.row_rule(meta, "update")
        if meta.cls.query_by_id(record.id) is None or not meta.optimistic_lock or (
                rule is not None and meta.cls.count(id=record.id) and not
                _updatable(app, meta, record.id)):
            raise DataError(f"{meta.code}: no record with id {record.id}",
                            code="RECORD_NOT_FOUND", model=meta.code, field="id")
        raise OptimisticLockError(
            f"{meta.code}: record {record.id} was changed by someone else since you "
            f"read it (your optVersion {record.opt_version} is stale); reload and retry",
            model=meta.code, stale_ids=[record.id])


def delete_builtin(app: Any, meta: ModelMeta, data_list: Any) -> list[Any]:
    """The `delete` built-in: delete every record `data_list` names by id, or none
    (RECORD_NOT_FOUND when one is missing). Returns the records named."""
    records = [to_record(app.registry, meta, item) for item in data_list]
    missing = [index for index, r in enumerate(records) if r.id is None]
    if missing:
        raise DataError(f"{meta.code}: delete needs an id in every item "
                        f"(missing at {missing})", code="ID_REQUIRED", model=meta.code,
                        field="id")
    records = list(distinct_by_id(meta, records).values())
    with _bits(add=Directive.BUILT_ACTION):
        deleted = invoke(meta.code, "delete", "DELETE", meta.cls.delete_batch,
                         (records,), {}, builtin=True)
    if deleted != len(records):
        raise DataError(f"{meta.code}: some of the records to delete do not exist; "
                        "nothing was deleted", code="RECORD_NOT_FOUND", model=meta.code)
    return records


def _updatable(app: Any, meta: ModelMeta, identifier: Any) -> bool:
    """True when the caller's update rule admits the record."""
    from modelry.core.data.write import permitted_ids
    with app.data.connection() as connection:
        return bool(permitted_ids(app.data, connection, meta, "update", [int(identifier)]))


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


__all__ = ["Builtins", "relation_resolver", "page_arguments", "create_builtin", "update_builtin",
           "delete_builtin", "List"]
