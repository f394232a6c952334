"""Rendering admin pages: the Jinja2 templates, the menu, the headers every page carries."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from modelry.admin import auth
from modelry.core.graphql.http.static_assets import StaticAssets

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
HTMX_CONFIG = '{"includeIndicatorStyles": false, "allowEval": false}'


def content_security_policy() -> str:
    """Everything from the server's own origin; no inline script or style, no eval."""
    return "; ".join(("default-src 'none'", "script-src 'self'", "style-src 'self'",
                      "img-src 'self' data:", "connect-src 'self'", "form-action 'self'",
                      "base-uri 'none'", "frame-ancestors 'none'"))


@functools.cache
def environment() -> jinja2.Environment:
    """The admin's templates, HTML-escaped by default, read once per process."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=True, undefined=jinja2.StrictUndefined)


@functools.cache
def assets() -> StaticAssets:
    """htmx and the admin's style sheet, served under a digest of their contents."""
    return StaticAssets(STATIC)


def model_label(meta: Any) -> str:
    """How menus and headings name a model: its declared display name, else its name in
    words (`demo.PetItem` → "Pet item")."""
    name = meta.code.rsplit(".", 1)[-1]
    if meta.display_name and meta.display_name != name:  # the registry's default is the name
        return meta.display_name
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)
    return " ".join([words[0], *(w.lower() if not w.isupper() else w for w in words[1:])])


def field_label(field: Any) -> str:
    """How screens name a field: its display name, else its name in words."""
    return field.display_name or field.name.replace("_", " ").capitalize()


def menu(app: Any, readable: list[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(module label, [(model code, label)]) for the modules holding readable models."""
    codes = {meta.code for meta in readable}
    groups = []
    for name, module in app.registry.modules.items():
        models = sorted(((meta.code, model_label(meta)) for meta in app.registry.models_of(name)
                         if meta.code in codes), key=lambda pair: pair[1].lower())
        if models:
            groups.append((module.display_name, models))
    return groups


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """`template` rendered for `request`, with the CSRF cookie set when it is new."""
    csrf, fresh = auth.csrf_token(request)
    values.setdefault("title", "Admin")
    base = auth.cookie_path(request)
    body = environment().get_template(template).render(
        base=base, static=f"{base}/static/{assets().version}", csrf=csrf,
        csrf_field=auth.CSRF_FIELD, htmx_config=HTMX_CONFIG, **values)
    response = HTMLResponse(body, status, headers={
        "Content-Security-Policy": content_security_policy(), "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        "Vary": "Cookie, HX-Request"})
    if fresh:
        auth.set_csrf_cookie(request, response, csrf)
    return response


def refusal(request: Request, refused: auth.FormRefused) -> HTMLResponse:
    """The page of a refused form (nothing was changed)."""
    return render(request, "error.html", refused.status, message=refused.message,
                  heading="Form refused")
