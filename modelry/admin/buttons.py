"""A model's API functions as buttons of its detail screen, called as GraphQL calls them:
through the function pipeline (permission hook, hooks, extension points) as the signed-in
client, the record of an action named by id and version as `data` is.

Arguments come from a small form, one input per parameter, typed from the function's
annotations (numbers, text, yes/no, dates, enums). A function taking records or lists of
them is not offered here: it needs the API.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import inspect
import re
import typing
from dataclasses import dataclass, field as dataclass_field
from types import SimpleNamespace
from typing import Any, Callable, Mapping

from modelry import messages
from modelry.admin import calls
from modelry.core import context
from modelry.core.graphql.calls.inputs import to_record
from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.list_limits import check_result
from modelry.core.numbers import Long
from modelry.core.security.identity import Identity

RECORD_KINDS = ("method", "action")
WIDGETS: dict[Any, tuple[str, str | None]] = {
    int: ("number", "1"), Long: ("number", "1"), float: ("number", "any"),
    decimal.Decimal: ("number", "any"), str: ("text", None), bool: ("checkbox", None),
    dt.date: ("date", None), dt.datetime: ("datetime-local", "1"), dt.time: ("time", "1")}


@dataclass
class Parameter:
    """One input of a function's form."""

    name: str
    label: str
    widget: str                  # an <input> type, or "select" for an enum
    kind: Any                    # the Python type the text is read as
    required: bool
    step: str | None = None
    options: list[tuple[str, str]] = dataclass_field(default_factory=list)
    value: str = ""
    error: str | None = None


@dataclass
class Button:
    """An API function of a model, as its detail screen offers it."""

    fun: str
    label: str
    description: str | None
    takes_record: bool
    parameters: list[Parameter]
    meta: Any = None             # the FunctionMeta


def offered(app: Any, identity: Identity, meta: Any, record_id: int) -> list[Button]:
    """The API functions of `meta` the caller may run, whose arguments a form can hold;
    a whole-number parameter named after the model (`account` of account.Account) starts
    at the record's id."""
    found = []
    for (namespace, _), function in sorted(app.registry.behaviours.functions.items()):
        if namespace != meta.code or not function.api or \
                not calls.may_call(app, identity, namespace, function.fun):
            continue
        made = _button(function, meta, record_id)
        if made is not None:
            found.append(made)
    return found


def find(app: Any, identity: Identity, meta: Any, record_id: int, fun: str) -> Button | None:
    """The button of function `fun` of `meta`, None when it is not offered to the caller."""
    return next((b for b in offered(app, identity, meta, record_id) if b.fun == fun), None)


def read_arguments(button: Button, posted: Mapping[str, str]) -> dict[str, Any] | None:
    """The arguments a posted form gives; None when one is wrong (its error set)."""
    values: dict[str, Any] = {}
    for parameter in button.parameters:
        text = posted.get(parameter.name, "")
        parameter.value = text
        if parameter.widget == "checkbox":
            values[parameter.name] = bool(text)
            continue
        if not text.strip():
            if parameter.required:
                parameter.error = "a value is required"
            continue
        try:
            values[parameter.name] = _parse(parameter.kind, text.strip())
        except ValueError as error:
            parameter.error = str(error)
    return None if any(p.error for p in button.parameters) else values


def call(app: Any, meta: Any, button: Button, record_id: int, version: int | None,
         arguments: dict[str, Any], said: list[dict[str, Any]]) -> Any:
    """Run the function as the client (its messages go to `said`), in a savepoint: what
    it wrote is undone when it fails."""
    function = button.meta
    with context.transaction(), messages.collecting(said):
        if button.takes_record:
            data = SimpleNamespace(id=record_id, **(
                {"opt_version": version} if meta.optimistic_lock else {}))
            record = to_record(app.registry, meta, data, "update")
            outcome = getattr(record, function.python_name)(**arguments)
        elif function.kind in ("classmethod", "static"):
            outcome = getattr(meta.cls, function.python_name)(**arguments)
        else:
            outcome = function.callable(**arguments)
        where = f"{function.module}: function {function.namespace}.{function.fun}"
        check_result(where, function.namespace, outcome, api_settings(app))
        return outcome


def api_settings(app: Any) -> GraphQLSettings:
    """The API's limits as the `server: {graphql: ...}` settings give them (a function's list
    result is bounded in the admin as in GraphQL)."""
    given = dict((getattr(app.settings, "server", None) or {}).get("graphql", {}))
    return GraphQLSettings(**{k: v for k, v in given.items()
                              if k in GraphQLSettings.__dataclass_fields__})


def label_of(fun: str) -> str:
    """A function's name in words (`voidExpired` → "Void expired")."""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", fun)
    return " ".join([words[0].capitalize(), *(w.lower() for w in words[1:])]) if words else fun


def _button(function: Any, meta: Any, record_id: int) -> Button | None:
    inner = getattr(function.callable, "__func__", function.callable)
    inner = getattr(inner, "__modelry_inner__", inner)
    hints = typing.get_type_hints(inner)
    parameters = list(inspect.signature(inner).parameters.values())
    takes_record = function.kind in RECORD_KINDS
    if takes_record or function.kind == "classmethod":
        parameters = parameters[1:]
    own_name = re.sub(r"(?<!^)(?=[A-Z])", "_", meta.name).lower()
    made = []
    for parameter in parameters:
        shaped = _parameter(parameter, hints.get(parameter.name, Any))
        if shaped is None:
            return None
        if parameter.name == own_name and shaped.kind in (int, Long) and not shaped.value:
            shaped.value = str(record_id)
        made.append(shaped)
    first_line = (function.description or "").strip().splitlines()
    return Button(function.fun, label_of(function.fun), first_line[0] if first_line else None,
                  takes_record, made, function)


def _parameter(parameter: inspect.Parameter, annotation: Any) -> Parameter | None:
    kind, optional = annotation, False
    if typing.get_origin(kind) in (typing.Union, getattr(__import__("types"), "UnionType",
                                                         None)):
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(inner) != 1:
            return None
        kind, optional = inner[0], True
    default = parameter.default
    has_default = default is not inspect.Parameter.empty
    label = parameter.name.replace("_", " ").capitalize()
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        made = Parameter(parameter.name, label, "select", kind, not (optional or has_default),
                         options=[(str(m.value), str(m.value)) for m in kind])
    elif kind in WIDGETS:
        widget, step = WIDGETS[kind]
        made = Parameter(parameter.name, label, widget, kind,
                         not (optional or has_default) and widget != "checkbox", step)
    else:
        return None  # a record, a list, JSON: the API takes those
    if has_default and default is not None:
        made.value = _text(default)
    return made


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (dt.datetime, dt.time)):
        return value.isoformat(timespec="seconds")
    return str(value)


def _parse(kind: Any, text: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        for member in kind:
            if str(member.value) == text:
                return member
        raise ValueError("choose one of the listed values")
    parsers: dict[Any, tuple[Callable[[str], Any], str]] = {
        int: (int, "enter a whole number"), Long: (int, "enter a whole number"),
        float: (float, "enter a number"), decimal.Decimal: (decimal.Decimal, "enter a number"),
        dt.date: (dt.date.fromisoformat, "enter a date as YYYY-MM-DD"),
        dt.datetime: (dt.datetime.fromisoformat, "enter a date and time"),
        dt.time: (dt.time.fromisoformat, "enter a time as HH:MM"), str: (str, "")}
    parse, message = parsers[kind]
    try:
        return parse(text)
    except (ValueError, decimal.InvalidOperation):
        raise ValueError(message) from None
