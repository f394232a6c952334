"""Sign-in for the admin: a cookie carrying the API's own bearer token, and CSRF checks.

The session cookie holds a token `tokens.login` issued (the same kind, lifetime, revocation
and login throttle as `authMutation.login`), HttpOnly and SameSite=Lax. Every form carries
a CSRF token equal to a second, random cookie (double submit); a POST whose token differs,
or whose Origin header names another site, is refused before anything runs.
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from modelry.core.security import tokens
from modelry.core.security.identity import Identity

SESSION_COOKIE = "modelry_admin"
CSRF_COOKIE = "modelry_admin_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class PostedForm(dict):
    """A posted form's fields by name (a repeated name holds its last value); `every(name)`
    gives all the values of a repeated one (a many-to-many's chosen records)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.repeated: dict[str, list[str]] = {}
        for name, value in pairs:
            self.repeated.setdefault(name, []).append(value)

    def every(self, name: str) -> list[str]:
        """Every value posted under `name`, in order."""
        return list(self.repeated.get(name, ()))


class FormRefused(Exception):
    """A form that is not processed: forged or stale CSRF token, foreign origin, bad body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def csrf_token(request: Request) -> tuple[str, bool]:
    """The CSRF token of the caller's browser, and whether the cookie must be (re)set."""
    known = request.cookies.get(CSRF_COOKIE, "")
    return (known, False) if len(known) >= 32 else (secrets.token_urlsafe(32), True)


async def read_form(request: Request) -> PostedForm:
    """The fields of a POSTed urlencoded form, after the CSRF and origin checks."""
    if (request.headers.get("content-type") or "").split(";")[0].strip() != FORM_TYPE:
        raise FormRefused(415, f"forms must be sent as {FORM_TYPE}")
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise FormRefused(403, "the form was sent from another site; nothing was changed")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise FormRefused(413, f"the form is over {MAX_FORM_BYTES} bytes")
        chunks.append(chunk)
    try:
        fields = PostedForm(parse_qsl(b"".join(chunks).decode("utf-8"),
                                      keep_blank_values=True))
    except UnicodeDecodeError:
        raise FormRefused(400, "the form is not UTF-8") from None
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = fields.pop(CSRF_FIELD, "")
    fields.repeated.pop(CSRF_FIELD, None)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise FormRefused(403, "the form's CSRF token is missing or stale; reload the page "
                               "and send it again (nothing was changed)")
    return fields


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def signed_in(app: Any, request: Request) -> Identity | None:
    """Who the session cookie signs in; None without one, or when its token is no longer
    valid (expired, revoked, user gone or inactive). Runs in a worker thread."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return tokens.resolve(app, token)
    except tokens.Unauthenticated:
        return None


def start_session(request: Request, response: Response, token: str,
                  expires_at: dt.datetime) -> None:
    """Set the session cookie for `token` (and a fresh CSRF token for the new session)."""
    seconds = int((expires_at - tokens.utc_now()).total_seconds())
    _cookie(request, response, SESSION_COOKIE, token, max(seconds, 0), "lax")
    set_csrf_cookie(request, response, secrets.token_urlsafe(32))


def end_session(request: Request, response: Response) -> None:
    """Clear the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path=cookie_path(request), httponly=True,
                           samesite="lax", secure=request.url.scheme == "https")


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    """Remember `value` as the browser's CSRF token (for the browser session)."""
    # Lax, not Strict: a Strict cookie is not sent when a link from elsewhere opens the
    # admin, which would then hand out a new token and stale the forms of other tabs
    _cookie(request, response, CSRF_COOKIE, value, None, "lax")


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int | None,
            samesite: str) -> None:
    response.set_cookie(name, value, max_age=max_age, path=cookie_path(request), httponly=True,
                        samesite=samesite, secure=request.url.scheme == "https")  # type: ignore


def cookie_path(request: Request) -> str:
    """The admin's path: its cookies go nowhere else (not to /graphql)."""
    return f"{request.scope.get('root_path', '')}/admin"


def safe_next(request: Request, target: str | None) -> str:
    """`target` when it is a path inside the admin, else the admin's home (no open redirect)."""
    home = cookie_path(request)
    if not target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(home) or "\\" in target:
        return home
    return target


def login_url(request: Request) -> str:
    """The login page, returning to the requested page afterwards."""
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{cookie_path(request)}/login?next={quote(wanted, safe='')}"
