"""Bearer tokens: issued at login, stored as SHA-256 hashes, until they expire or are revoked.

Every read and write here runs with back-end directives (no bits: sudo, no hooks), so the
permission checks on client calls never stand between a caller and its own sign-in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from modelry import directives
from modelry.core.security.identity import ANONYMOUS, Identity
from modelry.core.security.identity_cache import identity_cache
from modelry.core.security.passwords import dummy_verify, verify_password
from modelry.core.security.throttle import LoginThrottle
from modelry.errors import ModelryError

USER = "base.User"
TOKEN = "base.AuthToken"
SIGNED_IN_ROLE = "user"  # every signed-in caller holds it, besides the user's own roles
DEFAULT_TTL = dt.timedelta(hours=8)
TOKEN_BYTES = 32


class Unauthenticated(ModelryError):
    """A request carried a token that is malformed, unknown, expired or revoked."""

    code = "UNAUTHENTICATED"


class LoginFailed(ModelryError):
    """Wrong login or password: one message for both, so logins cannot be probed."""

    code = "LOGIN_FAILED"


INVALID_TOKEN = "the bearer token is invalid, expired or revoked; log in again"
LOGIN_FAILED = "wrong login or password"


def utc_now() -> dt.datetime:
    """Now, as naive UTC (how DateTime columns store time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for `token` (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(app: Any, user_id: int, ttl: dt.timedelta = DEFAULT_TTL) -> tuple[str, dt.datetime]:
    """A new token for `user_id` and when it expires (naive UTC, whole seconds)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # Whole seconds: MySQL DATETIME drops fractions, and the caller should see what is stored.
    expires_at = (utc_now() + ttl).replace(microsecond=0)
    meta = app.registry.model(TOKEN)
    table = app.data.table(meta)
    with directives.scope(), app.transaction() as connection, app.acting_as(int(user_id)):
        # expired tokens are of no use to anyone: each login clears them away
        connection.execute(table.delete().where(table.c.expires_at <= utc_now()))
        app.data.create(meta.cls(user=int(user_id), token_hash=token_hash(token),
                                 expires_at=expires_at, revoked=False))
    return token, expires_at


def resolve(app: Any, token: str) -> Identity:
    """The identity `token` signs in; Unauthenticated when it is unknown, expired or revoked,
    or its user is gone or inactive. Cached per token (identity_cache.py says how long)."""
    if not isinstance(token, str) or not token:
        raise Unauthenticated(INVALID_TOKEN)
    key = token_hash(token)
    cache = identity_cache(app)
    found = cache.get(key)
    if found is None:
        ticket = cache.ticket()
        found = _read_identity(app, key)
        cache.put(key, *found, ticket)
    identity, expires_at = found
    if expires_at <= utc_now():
        raise Unauthenticated(INVALID_TOKEN)
    return identity


def _read_identity(app: Any, key: str) -> tuple[Identity, dt.datetime]:
    """The identity and expiry of the token hashed `key`, from the database."""
    with directives.scope(), app.transaction(readonly=True):
        found = app.data.query_one(TOKEN, filters={"token_hash": key})
        if found is None or found.revoked or found.expires_at <= utc_now():
            raise Unauthenticated(INVALID_TOKEN)
        user = app.data.query_by_id(USER, found.user_id)
        if user is None or not user.active:
            raise Unauthenticated(INVALID_TOKEN)
        roles = app.data.load_relation(user, "roles")
    return Identity(user_id=user.id, login=user.login, is_admin=bool(user.is_admin),
                    roles=frozenset({SIGNED_IN_ROLE, *(role.code for role in roles)})
                    ), found.expires_at


def revoke(app: Any, token: str) -> bool:
    """Revoke `token`; True when a live token was revoked now."""
    if not isinstance(token, str) or not token:
        return False
    with directives.scope(), app.transaction():
        found = app.data.query_one(TOKEN, filters={"token_hash": token_hash(token)})
        if found is None or found.revoked:
            return False
        found.revoked = True
        return bool(app.data.update_by_id(found))


def revoke_all(app: Any, user_id: int) -> int:
    """Revoke every live token of `user_id` (after a password change); how many."""
    with directives.scope(), app.transaction():
        live = app.data.query_list(TOKEN, filters={"user_id": int(user_id), "revoked": False})
        for found in live:
            found.revoked = True
        return app.data.update_batch(TOKEN, live) if live else 0


def authenticate(app: Any, login: str, password: str) -> int:
    """The id of the active user with this login and password; LoginFailed otherwise.

    An unknown login costs as much time as a wrong password (a throwaway hash is checked).
    After MAX_FAILURES failures of one login within a minute, LoginThrottled (throttle.py).
    """
    throttle = _throttle(app)
    name = login if isinstance(login, str) else ""
    throttle.check(name)
    with directives.scope(), app.transaction(readonly=True):
        user = app.data.query_one(USER, filters={"login": login}) if name else None
    if user is None:
        dummy_verify(password)
    if user is None or not verify_password(password, user.password) or not user.active:
        throttle.failed(name)
        raise LoginFailed(LOGIN_FAILED)
    throttle.succeeded(name)
    return int(user.id)


def _throttle(app: Any) -> LoginThrottle:
    """The application's login throttle (made on first use)."""
    throttle = getattr(app, "login_throttle", None)
    if throttle is None:
        throttle = app.login_throttle = LoginThrottle()
    return throttle


def login(app: Any, login: str, password: str,
          ttl: dt.timedelta = DEFAULT_TTL) -> tuple[str, dt.datetime]:
    """Check the login and password, then issue a token: `(token, expires_at)`."""
    return issue(app, authenticate(app, login, password), ttl)


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when there is no header."""
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthenticated("the Authorization header must read 'Bearer <token>'")
    return token


def identity_for(app: Any, header: str | None) -> Identity:
    """Who a request with this `Authorization` header acts as: anonymous without one."""
    token = bearer_token(header)
    return ANONYMOUS if token is None else resolve(app, token)
