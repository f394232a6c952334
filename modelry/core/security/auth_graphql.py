"""`authMutation { login(login, password) { token expiresAt } logout }` on the Mutation root.

`auth_root_fields(schema)` gives the root field; the schema builder adds it next to the
models' `<name>Mutation` fields. Login and logout reach the database with back-end
directives (see `tokens`), so anonymous callers can sign in whatever their role may do.
"""
from __future__ import annotations

from typing import Any

import strawberry

from modelry.core.security import tokens
from modelry.errors import DeclarationError

ROOT_FIELD = "authMutation"
AUTH_TYPE = "AuthMutation"
LOGIN_TYPE = "LoginResult"


def auth_root_fields(schema: Any) -> dict[str, Any]:
    """`{"authMutation": field}` for the Mutation root of a `GeneratedSchema`."""
    namespace = schema.namespace
    for name in (AUTH_TYPE, LOGIN_TYPE):
        if hasattr(namespace.module, name):
            raise DeclarationError(f"a model's GraphQL type is named {name}, which the "
                                   "authentication mutation needs; rename the model")
    # expiresAt has the GraphQL type of base.AuthToken.expires_at (the schema's DateTime).
    expires = schema.types.scalar(schema.registry.model(tokens.TOKEN).fields["expires_at"])
    login_type = strawberry.type(
        namespace.make_class(LOGIN_TYPE, {"token": str, "expires_at": expires}),
        name=LOGIN_TYPE,
        description="A bearer token for `Authorization: Bearer <token>`, and when it expires "
                    "(UTC).")

    def login(info: Any, login: str, password: str) -> Any:
        token, expires_at = tokens.login(info.context.app, login, password)
        return login_type(token=token, expires_at=expires_at)

    def logout(info: Any) -> bool:
        token = getattr(info.context, "token", None)
        return token is not None and tokens.revoke(info.context.app, token)

    auth_type = strawberry.type(namespace.make_class(AUTH_TYPE, {}, {
        "login": strawberry.field(
            resolver=namespace.function(login, {"info": strawberry.Info, "login": str,
                                                "password": str, "return": login_type}),
            description="Sign in; a wrong login or password fails with LOGIN_FAILED."),
        "logout": strawberry.field(
            resolver=namespace.function(logout, {"info": strawberry.Info, "return": bool}),
            description="Revoke the token this request carries; false when it carries none."),
    }), name=AUTH_TYPE, description="Sign in and out.")

    def resolve() -> Any:
        return auth_type()

    return {ROOT_FIELD: strawberry.field(
        resolver=namespace.function(resolve, {"return": auth_type}))}
