"""Setting a write-only field (a password, a sealed secret) on its own screen: it is never
shown, so the edit form has no input for it; this screen asks for the new value twice and
writes it through the `update` built-in as the caller (hashing, sealing, rules apply).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from modelry.admin import calls, writes
from modelry.admin.auth import FormRefused
from modelry.admin.editing import Outcome, posted_version, require
from modelry.admin.hints import ModelHints
from modelry.admin.pages import field_label
from modelry.admin.titles import title_of
from modelry.core import context
from modelry.core.security.identity import current_identity
from modelry.errors import DataError, OptimisticLockError, ValidationFailed

NEW, REPEAT = "new", "repeat"


@dataclass
class SecretView:
    """The screen setting field `name` of a record."""

    record_id: int
    record_title: str
    name: str
    label: str
    version: str | None
    error: str | None = None        # above the form
    new_error: str | None = None
    repeat_error: str | None = None


def settable(app: Any, meta: Any) -> list[tuple[str, str]]:
    """(name, label) of the write-only fields of `meta` the caller may set: it may update
    the model, and no field rule or declaration makes the field read-only or hidden."""
    if "update" not in calls.rights_of(app, current_identity(), meta):
        return []
    closed = context.readonly_fields(meta.code) | context.hidden_fields(meta.code)
    return [(name, field_label(field)) for name, field in meta.fields.items()
            if field.write_only and not field.readonly and name not in closed]


def secret_view(app: Any, meta: Any, hints: dict[str, ModelHints], identifier: int,
                name: str) -> SecretView | None:
    """The screen setting `name` of record `identifier`; None when there is no such record,
    or no such field the caller may set."""
    require(app, meta, "update")
    label = dict(settable(app, meta)).get(name)
    record = calls.query_one(meta, identifier) if label is not None else None
    if record is None:
        return None
    return SecretView(identifier, title_of(record, meta, hints), name, label,
                      str(record.opt_version) if meta.optimistic_lock else None)


def set_secret(app: Any, meta: Any, hints: dict[str, ModelHints], identifier: int,
               name: str, posted: Mapping[str, str]) -> Outcome | None:
    """Write the posted value when both inputs agree; the screen again with the reason
    (the typed values never sent back) when they do not or the write is refused."""
    view = secret_view(app, meta, hints, identifier, name)
    if view is None:
        return None
    unknown = sorted(set(posted) - {NEW, REPEAT, "opt_version"})
    if unknown:
        raise FormRefused(400, f"{meta.code}: this form sets {name!r} only, not "
                               f"{unknown[0]!r}; nothing was changed")
    new, repeat = posted.get(NEW, ""), posted.get(REPEAT, "")
    if not new:
        view.new_error = "a value is required"
    elif new != repeat:
        view.repeat_error = "the two values differ"
    if view.new_error or view.repeat_error:
        return Outcome(view=view, status=422)
    version = posted_version(meta, posted)
    try:
        writes.update(app, meta, identifier, {name: new}, version)
    except OptimisticLockError:
        view.error = ("This record was changed by someone else since you opened this page; "
                      "nothing was set. Reload the page and enter the value again.")
        return Outcome(view=view, status=409)
    except ValidationFailed as failure:
        view.new_error = "; ".join(e["message"] for e in failure.errors)
        return Outcome(view=view, status=422)
    except DataError as error:
        if error.code == "RECORD_NOT_FOUND":
            return None
        view.error = error.message
        return Outcome(view=view, status=422)
    return Outcome(redirect=f"{meta.code}/{identifier}?done=secret")
