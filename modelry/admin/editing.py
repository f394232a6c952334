"""What the create, edit and delete screens show and do, as the caller (inside
`calls.as_client`): the form of a record, and a posted form turned into a write.

A refused write shows the form again with what the user typed: each error on its field
(the error's `field`), others above the form, a stale version as a conflict message.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import Any, Mapping

from modelry.admin import calls, pickers, writes
from modelry.admin.auth import FormRefused
from modelry.admin.forms import VERSION, Input, edited_fields, make_input, read_values, text_of
from modelry.admin.hints import ModelHints
from modelry.admin.pages import model_label
from modelry.admin.titles import title_of
from modelry.core import context
from modelry.core.security.authorization import AccessDenied
from modelry.core.security.identity import current_identity
from modelry.errors import DataError, OptimisticLockError, ValidationFailed

DONE = {"created": "Created.", "saved": "Saved.", "deleted": "Deleted.",
        "secret": "The new value is set (it is never shown)."}


@dataclass
class FormView:
    """A create or edit form: its inputs, the record and version it edits, its messages."""

    title: str
    inputs: list[Input]
    record_id: int | None = None
    version: str | None = None
    error: str | None = None
    conflict: bool = False
    sections: list[tuple[str | None, list[Input]]] = dataclass_field(default_factory=list)


@dataclass(frozen=True)
class ConfirmView:
    """The page asking to confirm a delete."""

    title: str
    record_id: int
    version: str | None
    error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a posted form led to: the page to go to, or a view to show with a status."""

    redirect: str | None = None
    view: Any = None
    status: int = 200
    data: Any = None        # answered as JSON (the typeahead's matches)


def require(app: Any, meta: Any, right: str) -> None:
    """Raise AccessDenied unless the caller's roles may `right` records of `meta`."""
    if right not in calls.rights_of(app, current_identity(), meta):
        raise AccessDenied(f"access denied: you may not {right} {meta.code}", model=meta.code)


def form_view(app: Any, meta: Any, hints: dict[str, ModelHints],
              identifier: int | None) -> FormView | None:
    """The form creating a record of `meta` (defaults filled in), or editing record
    `identifier` (None when the caller cannot see it)."""
    form = _blank_form(app, meta, hints, identifier)
    if form is not None:
        _offer_choices(form, meta, hints)
    return form


def _blank_form(app: Any, meta: Any, hints: dict[str, ModelHints],
                identifier: int | None) -> FormView | None:
    """The form with its values but no relation choices read yet."""
    require(app, meta, "create" if identifier is None else "update")
    if identifier is None:
        return _sectioned(FormView(f"New {_lower(meta)}", _inputs(meta, hints, None)),
                          hints[meta.code])
    record = calls.query_one(meta, identifier)
    if record is None:
        return None
    return _sectioned(FormView(f"Edit {title_of(record, meta, hints)}",
                               _inputs(meta, hints, record), identifier,
                               _version(meta, record)), hints[meta.code])


def _sectioned(form: FormView, own: ModelHints) -> FormView:
    """Group the form's inputs as the model's `form_sections` hint says (the rest last,
    under "More"); one untitled group without the hint."""
    if not own.sections:
        form.sections = [(None, form.inputs)]
        return form
    by_name = {made.name: made for made in form.inputs}
    placed: set[str] = set()
    for legend, names in own.sections:
        group = [by_name[name] for name in names if name in by_name and name not in placed]
        placed.update(made.name for made in group)
        if group:
            form.sections.append((legend, group))
    rest = [made for made in form.inputs if made.name not in placed]
    if rest:
        form.sections.append(("More", rest))
    return form


def submit(app: Any, meta: Any, hints: dict[str, ModelHints], posted: Mapping[str, str],
           identifier: int | None) -> Outcome | None:
    """Write what a posted form says (create when `identifier` is None); None when the
    record is not one the caller can see."""
    form = _blank_form(app, meta, hints, identifier)
    if form is None:
        return None
    creating = identifier is None
    values, errors = read_values(meta, posted, form.inputs, creating)
    for made in form.inputs:
        if made.readonly:
            continue
        if made.multiple:
            if made.name in values and {str(i) for i in values[made.name]} == set(made.values):
                del values[made.name]  # unchanged: links the caller cannot read stay
            if made.name in posted:
                made.values = [text for text in getattr(posted, "every", lambda n: [])(
                    made.name) if text.strip()]
        elif made.widget != "password":  # a typed secret is never sent back
            made.value = posted.get(made.name, "")
    version = None if creating else posted_version(meta, posted)
    if version is not None:
        form.version = str(version)
    if errors:
        return _with_errors(form, meta, hints, errors)
    try:
        if creating:
            record = writes.create(app, meta, values)
        else:
            record = writes.update(app, meta, identifier, values, version)
    except OptimisticLockError:
        form.conflict = True
        _offer_choices(form, meta, hints)
        return Outcome(view=form, status=409)
    except ValidationFailed as failure:
        return _with_errors(form, meta, hints,
                            {e["field"]: e["message"] for e in failure.errors})
    except DataError as error:
        if error.code == "RECORD_NOT_FOUND":
            return None
        named = error.field or next(iter(getattr(error, "fields", ())), None)
        return _with_errors(form, meta, hints, {named: error.message} if named else {},
                            None if named else error.message)
    return Outcome(redirect=f"{meta.code}/{record.id}?done={'created' if creating else 'saved'}")


def delete(app: Any, meta: Any, hints: dict[str, ModelHints], identifier: int,
           posted: Mapping[str, str]) -> Outcome | None:
    """Delete record `identifier` as a confirmed form asks; None when the caller cannot
    see it, the confirmation page again with the reason when the delete is refused."""
    require(app, meta, "delete")
    unknown = sorted(set(posted) - {VERSION})
    if unknown:
        raise FormRefused(400, f"{meta.code}: a delete takes no {unknown[0]!r}; "
                               "nothing was changed")
    record = calls.query_one(meta, identifier)
    if record is None:
        return None
    try:
        writes.delete(app, meta, identifier, posted_version(meta, posted))
    except OptimisticLockError:
        return Outcome(view=confirm_view(meta, hints, record,
                                         "This record was changed by someone else since you "
                                         "opened it; review it before deleting."), status=409)
    except DataError as error:
        if error.code == "RECORD_NOT_FOUND":
            return None
        return Outcome(view=confirm_view(meta, hints, record, error.message),
                       status=422)
    return Outcome(redirect=f"{meta.code}?done=deleted")


def confirm_page(app: Any, meta: Any, hints: dict[str, ModelHints],
                 identifier: int) -> ConfirmView | None:
    """The page confirming the delete of record `identifier` (None when not visible)."""
    require(app, meta, "delete")
    record = calls.query_one(meta, identifier)
    return None if record is None else confirm_view(meta, hints, record)


def confirm_view(meta: Any, hints: dict[str, ModelHints], record: Any,
                 error: str | None = None) -> ConfirmView:
    """The confirmation of deleting `record`."""
    return ConfirmView(title_of(record, meta, hints), record.id, _version(meta, record), error)


def posted_version(meta: Any, posted: Mapping[str, str]) -> int | None:
    """The version a form started from; required (a whole number) on a locked model."""
    if not meta.optimistic_lock:
        return None
    text = posted.get(VERSION, "")
    if not text.isdigit():
        raise FormRefused(400, f"{meta.code}: the form lacks the record's version; reload "
                               "the page (nothing was changed)")
    return int(text)


def _version(meta: Any, record: Any) -> str | None:
    return str(record.opt_version) if meta.optimistic_lock else None


def _with_errors(form: FormView, meta: Any, hints: dict[str, ModelHints],
                 errors: dict[str, str], general: str | None = None) -> Outcome:
    _offer_choices(form, meta, hints)
    shown = {made.name: made for made in form.inputs if not made.readonly}
    for name, message in errors.items():
        if name in shown:
            shown[name].error = message
        else:
            general = general or message
    form.error = general
    return Outcome(view=form, status=422)


def _inputs(meta: Any, hints: dict[str, ModelHints], record: Any) -> list[Input]:
    """The inputs of `meta`'s form: the record's values, or on create the defaults (fields
    the caller may not write, by field rule or `read_only` hint, are left out of a new
    record's form, shown disabled on edit)."""
    locked = context.readonly_fields(meta.code) | hints[meta.code].read_only
    inputs = []
    for field in edited_fields(meta, calls.invisible_fields(meta)):
        readonly = field.readonly or field.name in locked
        if record is None and readonly:
            continue
        made = make_input(field, readonly)
        if field.kind == "many2many":
            made.values = _linked_ids(record, field.name) if record is not None else []
            if len(made.values) > pickers.MAX_CHOICES:
                made.readonly, made.help = True, (
                    f"more than {pickers.MAX_CHOICES} linked records: change them through "
                    "the API")
            inputs.append(made)
            continue
        # a many-to-one by its stored id: its record may be one the caller cannot read
        name = field.column if field.kind == "many2one" else field.name
        value = getattr(record, name) if record is not None else \
            (field.default_value() if field.has_default() else None)
        made.value = text_of(field, value)
        inputs.append(made)
    if record is None:
        inputs.extend(_secret_inputs(meta, locked))
    return inputs


def _secret_inputs(meta: Any, locked: frozenset[str]) -> list[Input]:
    """A new record's write-only fields (a password) as password inputs, never filled in:
    a record's own screen sets them later (`secrets.py`)."""
    hidden = context.hidden_fields(meta.code)
    made = []
    for field in meta.fields.values():
        if field.write_only and field.kind in ("string", "text") and not field.system and \
                not field.readonly and field.name not in locked | hidden:
            secret = make_input(field, False)
            secret.widget, secret.maxlength = "password", None
            made.append(secret)
    return made


def _linked_ids(record: Any, name: str) -> list[str]:
    """The ids a many-to-many of `record` links to (up to one more than a form edits)."""
    linked = context.gateway(type(record)._meta().code).load_relation(
        record, name, size=pickers.MAX_CHOICES + 1)
    return [str(item.id) for item in linked or ()]


def _offer_choices(form: FormView, meta: Any, hints: dict[str, ModelHints]) -> None:
    """Each relation's select: the target's first records and the chosen ones, read as the
    caller; an id input when the caller may not read the target at all."""
    for made in form.inputs:
        if not made.pick:
            continue
        found = pickers.choices(meta.fields[made.name], hints,
                                made.values if made.multiple else [made.value])
        if found is None:
            made.widget, made.step, made.pick = "number", "1", False
            made.readonly = made.readonly or made.multiple
        else:
            made.options = found.options


def _lower(meta: Any) -> str:
    label = model_label(meta)
    return label[:1].lower() + label[1:]
