"""Declared API functions as GraphQL fields, with typed arguments and results.

Parameters and results are read from the Python annotations: models (as `<Name>Input` /
`<Name>`), lists of models, scalars, enums; transient models work both ways. A method's
record (`self`) arrives as `data: <Name>Input`.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import inspect
import typing
from typing import Any, Callable, List, Optional

import strawberry

from modelry.core.graphql.calls.inputs import to_record
from modelry.core.graphql.calls.naming import type_name
from modelry.core.graphql.list_limits import check_result
from modelry.core.graphql.scalars import JSON, BigDecimal, Date, DateTime, Long, Time
from modelry.core.graphql.schema.namespace import Namespace
from modelry.core.graphql.schema.types import TypeFactory
from modelry.core.registry import Registry
from modelry.core.registry.functions import FunctionMeta
from modelry.errors import DeclarationError

PLAIN = {str: str, int: int, Long: Long, float: float, bool: bool, decimal.Decimal: BigDecimal,
         dt.datetime: DateTime, dt.date: Date, dt.time: Time, dict: JSON, Any: JSON}


class FunctionFields:
    """Builds the GraphQL field of each API function."""

    def __init__(self, registry: Registry, namespace: Namespace, types: TypeFactory) -> None:
        self.registry = registry
        self.namespace = namespace
        self.types = types

    def _model(self, annotation: Any) -> Any:
        if isinstance(annotation, type):
            return self.registry.find(annotation)
        return None

    def graphql_type(self, annotation: Any, as_input: bool, where: str) -> tuple[Any, Callable]:
        """(GraphQL annotation, converter of the value) for a Python annotation."""
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            inner = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(inner) == 1:
                found, convert = self.graphql_type(inner[0], as_input, where)
                return Optional[found], lambda v: None if v is None else convert(v)
        if origin in (list, List):
            (item,) = typing.get_args(annotation) or (Any,)
            found, convert = self.graphql_type(item, as_input, where)
            return List[found], lambda v: None if v is None else [convert(x) for x in v]
        meta = self._model(annotation)
        if meta is not None:
            name = type_name(meta) + ("Input" if as_input else "")
            if as_input:
                # a record argument may name an existing record by id, as an update does
                return name, lambda v: to_record(self.registry, meta, v, "update")
            return name, lambda v: v
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self.types._enum(annotation), lambda v: v
        if annotation in PLAIN:
            return PLAIN[annotation], lambda v: v
        if annotation in (None, type(None)):
            return bool, lambda v: True
        raise DeclarationError(f"{where}: cannot expose a value of type {annotation!r} in "
                               "GraphQL (use models, lists of models, scalars or enums)")

    def field(self, function: FunctionMeta) -> Any:
        """The strawberry field calling `function`."""
        inner = getattr(function.callable, "__func__", function.callable)
        inner = getattr(inner, "__modelry_inner__", inner)
        where = f"{function.module}: function {function.namespace}.{function.fun}"
        hints = typing.get_type_hints(inner)
        parameters = list(inspect.signature(inner).parameters.values())
        takes_record = function.kind in ("method", "action")
        owner = self.registry.find(function.namespace)
        if takes_record or function.kind == "classmethod":
            parameters = parameters[1:]
        annotations: dict[str, Any] = {"info": strawberry.Info}
        defaulted = {p.name for p in parameters if p.default is not inspect.Parameter.empty}
        converters: dict[str, Callable[[Any], Any]] = {}
        if takes_record:
            annotations["data"] = f"{type_name(owner)}Input"
        for parameter in parameters:
            hint = hints.get(parameter.name, Any)
            found, convert = self.graphql_type(hint, True, where)
            if parameter.default is not inspect.Parameter.empty:
                found = Optional[found]
            annotations[parameter.name] = found
            converters[parameter.name] = convert
        result, _ = self.graphql_type(hints.get("return", type(None)), False, where)
        annotations["return"] = result
        target = function.callable
        registry = self.registry

        def resolve(info: Any, **arguments: Any) -> Any:
            values = {name: converters[name](value) for name, value in arguments.items()
                      if name in converters and value is not strawberry.UNSET
                      and not (value is None and name in defaulted)}
            if takes_record:
                record = to_record(registry, owner, arguments.get("data"), "update")
                outcome = getattr(record, function.python_name)(**values)
            elif function.kind in ("classmethod", "static"):
                outcome = getattr(owner.cls, function.python_name)(**values)
            else:
                outcome = target(**values)
            check_result(where, function.namespace, outcome, info.context.settings)
            return True if outcome is None and annotations["return"] is bool else outcome

        # arguments without a Python default have none in GraphQL either (a null default
        # on a non-null argument breaks introspection)
        required = ({"info", "data"} if takes_record else {"info"}) | \
            {p.name for p in parameters if p.name not in defaulted}
        signature = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a,
                                       default=inspect.Parameter.empty if n in required
                                       else None)
                     for n, a in annotations.items() if n != "return"]
        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            signature, return_annotation=annotations["return"])
        return strawberry.field(resolver=self.namespace.function(resolve, annotations),
                                description=function.description)
