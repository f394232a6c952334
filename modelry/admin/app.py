"""The admin's routes under `/admin`: login, logout, home with the menu, list, detail, and
its static files. Database work runs in worker threads sharing the API's limiter."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from modelry.admin import auth, buttons, calls, pages, pickers, secrets
from modelry.admin.call_screens import call_routes
from modelry.admin.edit_routes import edit_routes
from modelry.admin.editing import DONE, Outcome
from modelry.admin.hints import ModelHints, hints_for
from modelry.admin.lists import MAX_SEARCH, list_state
from modelry.admin.views import detail_view, list_view
from modelry.core.security import tokens
from modelry.core.security.authorization import AccessDenied
from modelry.core.security.identity import Identity, current_identity
from modelry.core.security.throttle import LoginThrottled
from modelry.core.http.workers import WorkerThreads
from modelry.errors import ModelryError

PREFIX = "/admin"
CACHE_FOREVER = "public, max-age=31536000, immutable"


def admin_routes(app: Any, workers: WorkerThreads) -> list[Route]:
    """The admin's routes for `app` (none with `server: {admin: false}` in its settings);
    its database work runs on the API's `workers`. Every model's UI hints are checked
    here: a bad one fails the start of the server."""
    server = getattr(app.settings, "server", None) or {}
    if not server.get("admin", True):
        return []
    admin = Admin(app, {meta.code: hints_for(meta)
                        for meta in app.registry.models.values() if meta.stored}, workers)
    return [
        Route(PREFIX, admin.home, methods=["GET"]),
        Route(f"{PREFIX}/", admin.home, methods=["GET"]),
        Route(f"{PREFIX}/login", admin.login_page, methods=["GET"]),
        Route(f"{PREFIX}/login", admin.login, methods=["POST"]),
        Route(f"{PREFIX}/logout", admin.logout, methods=["POST"]),
        Route(f"{PREFIX}/m/{{model}}", admin.listing, methods=["GET"]),
        Route(f"{PREFIX}/m/{{model}}/{{id:int}}", admin.detail, methods=["GET"]),
        Route(f"{PREFIX}/m/{{model}}/pick/{{field}}", admin.pick, methods=["GET"]),
        *edit_routes(admin, PREFIX),
        *call_routes(admin, PREFIX),
        Route(f"{PREFIX}/static/{{version}}/{{name:path}}", static_file, methods=["GET"]),
    ]


class Admin:
    """The screens of one application."""

    def __init__(self, app: Any, hints: dict[str, ModelHints],
                 workers: WorkerThreads) -> None:
        self.app = app
        self.hints = hints
        self.workers = workers

    async def _thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return await self.workers.run(function, *args)

    async def login_page(self, request: Request) -> Response:
        """The sign-in form."""
        return pages.render(request, "login.html", next=request.query_params.get("next", ""),
                            error=None, login="")

    async def login(self, request: Request) -> Response:
        """Check the form, sign in with the API's login (same throttle), set the cookie."""
        try:
            form = await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        name, target = form.get("login", ""), form.get("next", "")
        try:
            token, expires_at = await self._thread(tokens.login, self.app, name,
                                                   form.get("password", ""))
        except (tokens.LoginFailed, LoginThrottled) as error:
            status = 429 if isinstance(error, LoginThrottled) else 401
            return pages.render(request, "login.html", status, next=target, error=error.message,
                                login=name)
        response = RedirectResponse(auth.safe_next(request, target), 303)
        auth.start_session(request, response, token, expires_at)
        return response

    async def logout(self, request: Request) -> Response:
        """Revoke the session's token and clear its cookie."""
        try:
            await auth.read_form(request)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        token = request.cookies.get(auth.SESSION_COOKIE)
        if token:
            await self._thread(tokens.revoke, self.app, token)
        response = RedirectResponse(f"{auth.cookie_path(request)}/login", 303)
        auth.end_session(request, response)
        return response

    async def home(self, request: Request) -> Response:
        """The menu of the models the caller may read."""
        return await self._screen(request, None, lambda meta: None)

    async def listing(self, request: Request) -> Response:
        """A model's list: page, sort, search and filters from the URL; htmx asks for the
        table only. The filter form's blank inputs are dropped from the URL shown."""
        def read(meta: Any) -> Any:
            hints = self.hints[meta.code]
            state = list_state(request.query_params, meta, hints, calls.invisible_fields(meta))
            view = list_view(meta, self.hints, state)
            return Outcome(view=view, status=400) if view.refused else view
        htmx = request.headers.get("hx-request") == "true"
        kept = [(k, v) for k, v in request.query_params.multi_items() if v.strip()]
        bare = request.url.path + (f"?{urlencode(kept)}" if kept else "")
        if not htmx and len(kept) < len(request.query_params.multi_items()):
            return RedirectResponse(bare, 303)
        response = await self._screen(request, request.path_params["model"], read,
                                      "_list.html" if htmx and request.headers.get(
                                          "hx-target") == "list" else "list.html")
        if htmx:
            response.headers["HX-Push-Url"] = bare
        return response

    async def pick(self, request: Request) -> Response:
        """The typeahead of a relation of a model: `{"options": [{"id", "title"}]}` of the
        target's records matching `?q=`, read through queryPage as the caller."""
        name, text = request.path_params["field"], request.query_params.get("q", "")

        def read(meta: Any) -> Any:
            field = meta.fields.get(name)
            if field is None or field.kind not in ("many2one", "many2many") or \
                    name in calls.invisible_fields(meta):
                return None
            found = pickers.matches(field, self.hints, text[:MAX_SEARCH])
            return Outcome(data={"options": [{"id": value, "title": title}
                                             for value, title in found]})
        return await self._screen(request, request.path_params["model"], read)

    async def detail(self, request: Request) -> Response:
        """One record of a model."""
        identifier = request.path_params["id"]

        def read(meta: Any) -> Any:
            view = detail_view(meta, self.hints, identifier)
            if view is not None:
                view.functions = buttons.offered(self.app, current_identity(), meta, identifier)
                view.secrets = secrets.settable(self.app, meta)
            return view
        return await self._screen(request, request.path_params["model"], read, "detail.html")

    async def _screen(self, request: Request, code: str | None,
                      read: Callable[[Any], Any], template: str = "home.html",
                      readonly: bool = True) -> Response:
        """Sign the caller in from the cookie, then `read` as them (in a transaction that may
        write unless `readonly`) and render; `read` may answer an Outcome (a redirect, or a
        view with its status)."""
        def work() -> tuple[Identity | None, list[Any], Any, Any, frozenset[str]]:
            identity = auth.signed_in(self.app, request)
            if identity is None:
                return None, [], None, None, frozenset()
            with calls.as_client(self.app, identity, readonly):
                readable = calls.readable_models(self.app, identity)
                meta = next((m for m in readable if m.code == code), None)
                if code is None or meta is None:
                    return identity, readable, meta, None, frozenset()
                return identity, readable, meta, read(meta), calls.rights_of(self.app,
                                                                             identity, meta)
        try:
            identity, readable, meta, found, rights = await self._thread(work)
        except auth.FormRefused as refused:
            return pages.refusal(request, refused)
        except AccessDenied as error:
            return pages.render(request, "error.html", 403, message=error.message,
                                heading="Not allowed")
        except ModelryError as error:
            return pages.render(request, "error.html", 400, message=error.message,
                                heading="Not done")
        if identity is None:
            # htmx would follow a redirect and swap the login page into the table
            response = Response(status_code=401, headers={"HX-Redirect": auth.login_url(
                request)}) if request.headers.get("hx-request") == "true" else \
                RedirectResponse(auth.login_url(request), 303)
            if request.cookies.get(auth.SESSION_COOKIE):
                auth.end_session(request, response)
            return response
        status = 200
        if isinstance(found, Outcome):
            if found.data is not None:
                return JSONResponse(found.data, headers={"Cache-Control": "no-store"})
            if found.redirect is not None:  # POST/redirect/GET
                return RedirectResponse(f"{auth.cookie_path(request)}/m/{found.redirect}", 303)
            found, status = found.view, found.status
        shown = {"user": identity.login, "menu": pages.menu(self.app, readable),
                 "current": code}
        if code is not None and (meta is None or found is None):
            # the same answer for a model that does not exist and one the caller may not read
            return pages.render(request, "error.html", 404, **shown, heading="Not found",
                                message=f"nothing to show at {request.url.path}")
        return pages.render(request, template, status, **shown, meta=meta, rights=rights,
                            done=DONE.get(request.query_params.get("done", "")),
                            title=pages.model_label(meta) if meta else "Home", view=found)


async def static_file(request: Request) -> Response:
    """One of the admin's static files, cached for a year under its versioned URL."""
    found = pages.assets().find(request.path_params["version"], request.path_params["name"])
    if found is None:
        return Response("not found", 404, media_type="text/plain")
    return Response(found.body, media_type=found.media_type, headers={
        "Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"})

