"""The GraphiQL console of `GET /graphql`: a page and its vendored assets, all from the
server's own origin, so it works offline and under a Content-Security-Policy of 'self'."""
from __future__ import annotations

import functools
import html
import secrets
from pathlib import Path
from typing import Awaitable, Callable

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.http.static_assets import StaticAssets
from modelry.core.graphql.protocol import ProtocolError, protocol_error_body

ASSETS_FOLDER = Path(__file__).parent / "static" / "graphiql"
ASSET_ROUTE = "/graphql/static/{version}/{name:path}"

CACHE_FOREVER = "public, max-age=31536000, immutable"

STYLE_SHEETS = ("graphiql/graphiql.min.css", "plugin-explorer/style.css", "console.css")
SCRIPTS = ("react/react.production.min.js", "react-dom/react-dom.production.min.js",
           "graphiql/graphiql.min.js", "plugin-explorer/index.umd.js", "console.js")


def content_security_policy(nonce: str) -> str:
    """The page's policy: everything from the server's own origin, nothing inline but the one
    <style> element GraphiQL's dialogs insert (react-remove-scroll), which carries `nonce`
    (console.js hands it over). data: fonts and images: GraphiQL's style sheet embeds its
    fonts and icons as data: URLs. No 'unsafe-eval': nothing in the assets evaluates strings."""
    return "; ".join((
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ))


@functools.cache
def console_assets() -> StaticAssets:
    """The vendored GraphiQL files and the console's own, read once per process."""
    return StaticAssets(ASSETS_FOLDER)


def console_page(request: Request) -> HTMLResponse:
    """The GraphiQL page: no inline script, every URL on the server's own origin."""
    assets = console_assets()
    prefix = html.escape(f"{request.scope.get('root_path', '')}/graphql/static/{assets.version}")
    links = "\n".join(f'<link rel="stylesheet" href="{prefix}/{name}">' for name in STYLE_SHEETS)
    nonce = secrets.token_urlsafe(18)
    scripts = "\n".join(f'<script src="{prefix}/{name}"{_nonce_of(name, nonce)}></script>'
                        for name in SCRIPTS)
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>modelry · GraphiQL</title>
<link rel="icon" href="data:,">
{links}
</head>
<body>
<div id="graphiql">Loading…</div>
{scripts}
</body>
</html>
"""
    return HTMLResponse(page, headers={
        "Content-Security-Policy": content_security_policy(nonce),
        "Cache-Control": "no-store",  # a nonce per page; the asset URLs change with releases
        "X-Content-Type-Options": "nosniff",
    })


def _nonce_of(script: str, nonce: str) -> str:
    """The nonce attribute of console.js, which hands the style nonce to GraphiQL."""
    return f' nonce="{nonce}"' if script == "console.js" else ""


def asset_endpoint(settings: GraphQLSettings) -> Callable[[Request], Awaitable[Response]]:
    """`GET /graphql/static/{version}/{name}`: one of the console's files, cached for a
    year; 404 with the error envelope for any other name or version, or with GraphiQL off."""

    async def asset(request: Request) -> Response:
        version, name = request.path_params["version"], request.path_params["name"]
        found = console_assets().find(version, name) if settings.graphiql else None
        if found is None:
            error = ProtocolError(f"no console file {name!r} in version {version!r}",
                                  "NOT_FOUND", 404)
            return Response(orjson.dumps(protocol_error_body(error)), 404,
                            media_type="application/json")
        return Response(found.body, media_type=found.media_type, headers={
            "Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"})

    return asset
