"""Signed-in clients: a bench user, and the bearer token each candidate checks per request.

- modelry: the user `bench` (role `bench_client`, granted the demo module like the
  anonymous role) signs in with the `authMutation { login }` of the running server; its
  token is then resolved on every request (the identity cache, when there is one, is
  modelry's business).
- the hand-written endpoint: a token of the same user issued into modelry's token table
  (base_auth_token); baseline.py looks its hash and its user up with one statement per
  request.
- PostGraphile: an HS256 JWT (`--jwt-secret`), its standard authentication. Per request
  it verifies the signature, opens a transaction and sets the JWT's `role`
  (modelry_bench_user, which may read and write the demo tables) and claims with one
  `set_config` statement. It is stateless: no token lookup, the closest equivalent it has.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

import sqlalchemy as sa

from modelry.boot import boot
from modelry.boot.engine import normalise_url
from modelry.core.security import tokens
from modelry.core.security.grants import grant_module
from modelry.core.security.passwords import hash_password

LOGIN, PASSWORD, ROLE = "bench", "bench-password-18", "bench_client"
PG_ROLE = "modelry_bench_user"  # the database role PostGraphile's JWT switches to
JWT_SECRET = "modelry-bench-jwt-secret-not-a-real-one"
LOGIN_DOCUMENT = ('mutation { authMutation { login(login: "%s", password: "%s") '
                  "{ token expiresAt } } }" % (LOGIN, PASSWORD))


def prepare(url: str) -> tuple[int, str]:
    """The bench user (created when missing) and a fresh token for the hand-written endpoint.

    On PostgreSQL also the role PostGraphile's JWT selects, with rights on every table.
    Returns `(user id, token)`.
    """
    app = boot(database=url, modules=["demo"], lifecycle="reload")
    try:
        user_id = _bench_user(app)
        token, _ = tokens.issue(app, user_id)
        if app.engine.dialect.name == "postgresql":
            _postgraphile_role(app.engine)
    finally:
        app.close()
    return user_id, token


def _bench_user(app: Any) -> int:
    """The id of the user `bench` with role `bench_client`, which may use the demo."""
    grant_module(app, "demo", role=ROLE)  # creates the role when missing
    with app.transaction():
        found = app.data.query_one("base.User", filters={"login": LOGIN})
        if found is not None:
            return int(found.id)
        role = app.data.query_one("base.Role", filters={"code": ROLE})
        user = app.data.create(app.registry.model("base.User").cls(
            login=LOGIN, name="Bench client", active=True, password=hash_password(PASSWORD),
            roles=[role.id]))
        return int(user.id)


def _postgraphile_role(engine: sa.Engine) -> None:
    """A NOLOGIN role that may read and write the tables (granted again after a reseed)."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PG_ROLE}') "
            f"THEN CREATE ROLE {PG_ROLE} NOLOGIN; END IF; END $$")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {PG_ROLE}")
        connection.exec_driver_sql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {PG_ROLE}")
        connection.exec_driver_sql(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {PG_ROLE}")


def modelry_login(graphql_url: str) -> str:
    """A token from the running modelry server's login mutation."""
    request = urllib.request.Request(graphql_url, json.dumps({"query": LOGIN_DOCUMENT}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    try:
        return answer["data"]["authMutation"]["login"]["token"]
    except (KeyError, TypeError):
        raise RuntimeError(f"modelry's login failed: {answer!r:.500}") from None


def postgraphile_jwt(user_id: int, ttl_seconds: int = 8 * 3600) -> str:
    """An HS256 JWT for PostGraphile: role, user id, audience `postgraphile`, expiry."""
    def encoded(value: dict) -> bytes:
        text = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).rstrip(b"=")

    now = int(time.time())
    signed = (encoded({"alg": "HS256", "typ": "JWT"}) + b"." + encoded(
        {"role": PG_ROLE, "user_id": str(user_id), "aud": "postgraphile", "iat": now,
         "exp": now + ttl_seconds}))
    signature = hmac.new(JWT_SECRET.encode(), signed, hashlib.sha256).digest()
    return (signed + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def authorizations(running: dict[str, str], user_id: int, baseline_token: str
                   ) -> dict[str, str]:
    """`Authorization` header per running candidate (`running`: name → GraphQL URL)."""
    headers = {}
    for name, url in running.items():
        if name == "modelry":
            headers[name] = f"Bearer {modelry_login(url)}"
        elif name == "baseline":
            headers[name] = f"Bearer {baseline_token}"
        elif name == "postgraphile":
            headers[name] = f"Bearer {postgraphile_jwt(user_id)}"
    return headers


def is_postgresql(url: str) -> bool:
    """True for a PostgreSQL database URL."""
    return normalise_url(url).get_backend_name() == "postgresql"
