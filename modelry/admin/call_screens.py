"""The screens of a model's API functions: the form of a function's arguments, and the
page showing what a call answered (its result, its messages, or why it was refused).

`GET  /admin/m/<model>/<id>/call/<fun>` shows the form; `POST` to the same URL (from that
form, or straight from the detail screen's button when there is nothing to ask) calls it.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelry.admin import auth, buttons, calls, pages
from modelry.admin.editing import Outcome
from modelry.admin.hints import ModelHints
from modelry.admin.pages import field_label
from modelry.admin.titles import title_of
from modelry.admin.views import Cell, related_cell, shown_text
from modelry.core.security.identity import current_identity
from modelry.errors import ModelryError, OptimisticLockError

MAX_SHOWN = 50   # items of a list result shown


@dataclass
class CallView:
    """A function's form and, once called, what it answered."""

    record_id: int
    record_title: str
    button: buttons.Button
    version: str | None = None
    called: bool = False
    result: list[tuple[str, list[Cell]]] = dataclass_field(default_factory=list)
    said: list[dict[str, Any]] = dataclass_field(default_factory=list)
    error: str | None = None


def call_routes(admin: Any, prefix: str) -> list[Route]:
    """The routes of `admin`'s function screens under `prefix`."""
    screens = CallScreens(admin)
    path = f"{prefix}/m/{{model}}/{{id:int}}/call/{{fun}}"
    return [Route(path, screens.form, methods=["GET"]),
            Route(path, screens.run, methods=["POST"])]


class CallScreens:
    """The function screens of one admin (its `_screen` signs the caller in and renders)."""

    def __init__(self, admin: Any) -> None:
        self.admin = admin

    async def form(self, request: Request) -> Response:
        """The form of a function's arguments."""
        return await self.admin._screen(request, request.path_params["model"],
                                        lambda meta: self._view(meta, request), "call.html")

    async def run(self, request: Request) -> Response:
        """Call the function with the posted arguments and show what it answered."""
        try:
            posted = await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)

        def work(meta: Any) -> Any:
            view = self._view(meta, request)
            return view if view is None else called(self.admin.app, meta, self.admin.hints,
                                                    view, posted)
        return await self.admin._screen(request, request.path_params["model"], work,
                                        "call.html", readonly=False)

    def _view(self, meta: Any, request: Request) -> CallView | None:
        identifier, fun = request.path_params["id"], request.path_params["fun"]
        record = calls.query_one(meta, identifier)
        if record is None:
            return None
        button = buttons.find(self.admin.app, current_identity(), meta, identifier, fun)
        if button is None:
            return None
        version = str(record.opt_version) if meta.optimistic_lock else None
        return CallView(identifier, title_of(record, meta, self.admin.hints), button, version)


def called(app: Any, meta: Any, hints: dict[str, ModelHints], view: CallView,
           posted: Mapping[str, str]) -> Outcome:
    """Run `view`'s function with the posted arguments; the page shows its result and
    messages, or its error (422, the arguments kept)."""
    button = view.button
    known = {p.name for p in button.parameters} | {"opt_version"}
    unknown = sorted(set(posted) - known)
    if unknown:
        raise auth.FormRefused(400, f"{meta.code}.{button.fun} takes no {unknown[0]!r}; "
                                    "nothing was run")
    arguments = buttons.read_arguments(button, posted)
    if arguments is None:
        return Outcome(view=view, status=422)
    version_text = posted.get("opt_version", "")
    version = int(version_text) if version_text.isdigit() else None
    try:
        outcome = buttons.call(app, meta, button, view.record_id, version, arguments,
                               view.said)
    except OptimisticLockError:
        view.error = ("This record was changed by someone else since you opened it; "
                      "reload it and run the function again.")
        return Outcome(view=view, status=409)
    except ModelryError as error:
        named = next((p for p in button.parameters if p.name == error.field), None)
        if named is not None:
            named.error = error.message
        else:
            view.error = error.message
        return Outcome(view=view, status=422)
    view.called = True
    view.result = result_rows(outcome, hints)
    return Outcome(view=view)


def result_rows(outcome: Any, hints: dict[str, ModelHints]) -> list[tuple[str, list[Cell]]]:
    """What a function answered, as (label, cells) rows: a stored record linked by its
    title, a transient one field by field, a list item by item, a value as text."""
    if outcome is None:
        return []
    items = list(outcome)[:MAX_SHOWN] if isinstance(outcome, (list, tuple)) else [outcome]
    rows = []
    for index, item in enumerate(items, 1):
        label = f"{index}" if isinstance(outcome, (list, tuple)) else "Result"
        meta = type(item)._meta() if hasattr(type(item), "_meta") else None
        if meta is not None and meta.code in hints and item.id is not None:
            rows.append((label, [related_cell(item, hints)]))
        elif meta is not None:
            rows.extend((f"{label} · {field_label(field)}" if len(items) > 1 else
                         field_label(field), [Cell(shown_text(getattr(item, name), None))])
                        for name, field in meta.fields.items()
                        if not (field.relational or field.write_only or field.system))
        else:
            rows.append((label, [Cell(shown_text(item, None))]))
    if isinstance(outcome, (list, tuple)) and len(outcome) > MAX_SHOWN:
        rows.append(("…", [Cell(f"and {len(outcome) - MAX_SHOWN} more")]))
    return rows

