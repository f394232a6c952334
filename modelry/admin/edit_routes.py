"""The admin's routes that write: the create and edit forms, delete with a confirmation,
and the screen setting a write-only field (a password).

Every POST is read by `auth.read_form` first (CSRF token and Origin checked, nothing done
otherwise); the write runs as the signed-in caller through the GraphQL built-ins
(`editing`, `writes`), and success redirects to a page that GETs the result.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelry.admin import auth, editing, pages, secrets


def edit_routes(admin: Any, prefix: str) -> list[Route]:
    """The routes of `admin`'s forms under `prefix`."""
    screens = EditScreens(admin)
    record = f"{prefix}/m/{{model}}/{{id:int}}"
    return [
        Route(f"{prefix}/m/{{model}}/new", screens.new_form, methods=["GET"]),
        Route(f"{prefix}/m/{{model}}/new", screens.create, methods=["POST"]),
        Route(f"{record}/edit", screens.edit_form, methods=["GET"]),
        Route(f"{record}/edit", screens.update, methods=["POST"]),
        Route(f"{record}/delete", screens.confirm, methods=["GET"]),
        Route(f"{record}/delete", screens.delete, methods=["POST"]),
        Route(f"{record}/secret/{{field}}", screens.secret_form, methods=["GET"]),
        Route(f"{record}/secret/{{field}}", screens.set_secret, methods=["POST"]),
    ]


class EditScreens:
    """The form screens of one admin (its `_screen` signs the caller in and renders)."""

    def __init__(self, admin: Any) -> None:
        self.admin = admin

    async def new_form(self, request: Request) -> Response:
        """The form creating a record, with the model's defaults."""
        return await self._form(request, None)

    async def edit_form(self, request: Request) -> Response:
        """The form editing a record, with its current values and version."""
        return await self._form(request, request.path_params["id"])

    async def create(self, request: Request) -> Response:
        """Create a record from the posted form."""
        return await self._submit(request, None)

    async def update(self, request: Request) -> Response:
        """Write the posted form to its record."""
        return await self._submit(request, request.path_params["id"])

    async def confirm(self, request: Request) -> Response:
        """The page asking whether to delete a record."""
        identifier = request.path_params["id"]
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: editing.confirm_page(self.admin.app, meta, self.admin.hints,
                                              identifier), "delete.html")

    async def delete(self, request: Request) -> Response:
        """Delete a record, as its confirmation form asks."""
        try:
            posted = await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        identifier = request.path_params["id"]
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: editing.delete(self.admin.app, meta, self.admin.hints, identifier,
                                        posted), "delete.html", readonly=False)

    async def secret_form(self, request: Request) -> Response:
        """The screen setting a write-only field (a password) of a record."""
        identifier, name = request.path_params["id"], request.path_params["field"]
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: secrets.secret_view(self.admin.app, meta, self.admin.hints,
                                             identifier, name), "secret.html")

    async def set_secret(self, request: Request) -> Response:
        """Set a write-only field to the posted value."""
        try:
            posted = await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        identifier, name = request.path_params["id"], request.path_params["field"]
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: secrets.set_secret(self.admin.app, meta, self.admin.hints, identifier,
                                            name, posted), "secret.html", readonly=False)

    async def _form(self, request: Request, identifier: int | None) -> Response:
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: editing.form_view(self.admin.app, meta, self.admin.hints, identifier),
            "form.html")

    async def _submit(self, request: Request, identifier: int | None) -> Response:
        try:
            posted = await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        return await self.admin._screen(
            request, request.path_params["model"],
            lambda meta: editing.submit(self.admin.app, meta, self.admin.hints, posted,
                                        identifier), "form.html", readonly=False)
