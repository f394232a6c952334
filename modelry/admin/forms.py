"""Create and edit forms: an input per writable field, its widget chosen from the field's
type, and the posted text read back into values of those types.

Reading a form refuses (FormRefused, nothing written) a name that is no input of the form:
an unknown field, one hidden from the caller, or one the caller may not write. Text that is
no value of its field's type (words in a number field) is an error on that field.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from dataclasses import dataclass, field as dataclass_field
from typing import Any, Callable, Mapping

import orjson

from modelry.admin.auth import FormRefused
from modelry.admin.pages import field_label

VERSION = "opt_version"   # the hidden input carrying the version an edit started from
EDITED_KINDS = ("string", "text", "integer", "biginteger", "float", "decimal", "money",
                "boolean", "date", "datetime", "time", "enum", "json", "many2one", "many2many")
WIDGETS = {"text": "textarea", "json": "textarea", "integer": "number",
           "biginteger": "number", "float": "number", "decimal": "number", "money": "number",
           "boolean": "checkbox", "date": "date", "datetime": "datetime-local",
           "time": "time", "enum": "select", "many2one": "select",
           "many2many": "select"}
CHECKED = ("true", "on")


@dataclass
class Input:
    """One labelled input of a form, with the text it shows and its error, if any."""

    name: str
    label: str
    widget: str                 # an <input> type, "textarea" or "select"
    required: bool
    maxlength: int | None = None
    step: str | None = None
    options: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (value, label)
    readonly: bool = False      # shown, disabled, never sent
    value: str = ""
    error: str | None = None
    help: str | None = None
    pick: bool = False          # a relation: admin.js adds a typeahead (chips when multiple)
    multiple: bool = False      # a many-to-many: the chosen ids are `values`
    values: list[str] = dataclass_field(default_factory=list)


def edited_fields(meta: Any, invisible: frozenset[str]) -> list[Any]:
    """The fields of `meta` a form shows: stored values and relations to records (many-to-one,
    many-to-many) the caller may see, neither system nor write-only (one-to-many relations
    and binaries are not edited here; a write-only secret has its own screen)."""
    return [f for f in meta.fields.values()
            if f.kind in EDITED_KINDS and not f.system and not f.write_only
            and f.name not in invisible]


def make_input(field: Any, readonly: bool) -> Input:
    """The input showing `field` (an enum's options filled in; a many-to-one's are not)."""
    widget = WIDGETS.get(field.kind, "text")
    made = Input(field.name, field_label(field), widget, field.required and not readonly,
                 readonly=readonly, help=field.help)
    if field.kind == "string":
        made.maxlength = field.size
    elif field.kind in ("integer", "biginteger"):
        made.step = "1"
    elif field.kind in ("decimal", "money"):
        made.step = str(decimal.Decimal(1).scaleb(-field.scale))
    elif field.kind == "float":
        made.step = "any"
    elif field.kind in ("datetime", "time"):
        made.step = "1"
    elif field.kind == "enum":
        made.options = [(str(m.value), str(m.value)) for m in field.enum_class]
    elif field.kind == "many2many":
        made.multiple = made.pick = True
        made.required = False
    elif field.kind == "many2one":
        made.pick = True
    return made


def text_of(field: Any, value: Any) -> str:
    """`value` of `field` as its input shows it."""
    if value is None:
        return ""
    if field.kind == "boolean":
        return "true" if value else ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (dt.datetime, dt.time)):
        return value.isoformat(timespec="seconds")
    if field.kind == "json":
        return orjson.dumps(value).decode()
    return str(value)


def read_values(meta: Any, posted: Mapping[str, str], inputs: list[Input],
                creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The values a posted form gives (by field name) and the errors of its fields.

    On create, a blank input is left out (the model's default applies, or "a value is
    required"); on edit a blank sets the field to null. An unchecked checkbox is false.
    """
    writable = {i.name: i for i in inputs if not i.readonly}
    for name in posted:
        if name in writable or (name == VERSION and not creating):
            continue
        shown = any(i.name == name for i in inputs)
        raise FormRefused(400, f"{meta.code}: {name!r} is " + (
            "read-only here" if shown else "no field this form writes") +
            "; nothing was changed")
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in writable:
        field = meta.fields[name]
        text = posted.get(name, "")
        if field.kind == "many2many":
            if name in posted:  # a form without it (forged, or from an old page) keeps them
                _read_records(name, posted, creating, values, errors)
            continue
        if field.kind == "boolean":
            if text and text not in CHECKED:
                errors[name] = "tick the box or leave it empty"
            else:
                values[name] = bool(text)
            continue
        if field.kind not in ("string", "text"):
            text = text.strip()
        if text == "":
            if not creating:
                values[name] = None
            continue
        try:
            values[name] = _PARSERS.get(field.kind, _as_is)(field, text)
        except ValueError as error:
            errors[name] = str(error)
    return values, errors


def _read_records(name: str, posted: Mapping[str, str], creating: bool,
                  values: dict[str, Any], errors: dict[str, str]) -> None:
    """A many-to-many's chosen ids: every value posted under `name` (blanks ignored)."""
    every = getattr(posted, "every", lambda key: [posted[key]])
    chosen = [text.strip() for text in every(name) if text.strip()]
    if any(not text.isdigit() for text in chosen):
        errors[name] = "choose records (or enter their ids, whole numbers)"
    elif chosen or not creating:
        values[name] = list(dict.fromkeys(int(text) for text in chosen))


def _as_is(field: Any, text: str) -> str:
    return text


def _whole(field: Any, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("enter a whole number") from None


def _record_id(field: Any, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("choose a record (or enter its id, a whole number)") from None


def _number(field: Any, text: str) -> Any:
    try:
        return float(text) if field.kind == "float" else decimal.Decimal(text)
    except (ValueError, decimal.InvalidOperation):
        raise ValueError("enter a number") from None


def _parsed(kind: type, shape: str) -> Callable[[Any, str], Any]:
    def parse(field: Any, text: str) -> Any:
        try:
            return kind.fromisoformat(text)  # type: ignore[attr-defined]
        except ValueError:
            raise ValueError(f"enter a {shape}") from None
    return parse


def _member(field: Any, text: str) -> Any:
    for member in field.enum_class:
        if str(member.value) == text:
            return member
    raise ValueError("choose one of the listed values")


def _json(field: Any, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ValueError("enter valid JSON") from None


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "integer": _whole, "biginteger": _whole, "many2one": _record_id,
    "float": _number, "decimal": _number, "money": _number,
    "date": _parsed(dt.date, "date as YYYY-MM-DD"),
    "datetime": _parsed(dt.datetime, "date and time as YYYY-MM-DD HH:MM"),
    "time": _parsed(dt.time, "time as HH:MM"),
    "enum": _member, "json": _json}
