"""`modelry user create|passwd`: manage users (base.User) from the command line.

Both boot the application with the RELOAD lifecycle (the tables must exist: boot with
INSTALL first) and write with back-end directives plus CHECK, so values are validated
but no permission check applies: whoever can run the CLI holds the database already.
"""
from __future__ import annotations

from typing import Any

import click

from modelry.cli_application import administered, err
from modelry.cli_options import boot_options
from modelry.core.security import tokens
from modelry.core.security.passwords import hash_password
from modelry.errors import ModelryError

USER, ROLE = "base.User", "base.Role"


class UserCommandError(ModelryError):
    """A user command cannot do what was asked (login taken, unknown role or login)."""

    code = "USER_COMMAND"


def _password_option(function: Any) -> Any:
    return click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                        envvar="MODELRY_USER_PASSWORD",
                        help="the password (prompted when left out; also "
                             "MODELRY_USER_PASSWORD)")(function)


@click.group("user")
def user_group() -> None:
    """Manage users: create them, set their passwords."""


@user_group.command("create")
@boot_options
@click.option("--login", required=True, help="the login (unique)")
@_password_option
@click.option("--admin", is_flag=True, help="an administrator: may do everything")
@click.option("--name", help="display name")
@click.option("--role", "roles", multiple=True, metavar="CODE",
              help="code of a role to grant (repeatable)")
def create_command(config: str | None, database: str | None, modules: tuple[str, ...],
                   login: str, password: str, admin: bool, name: str | None,
                   roles: tuple[str, ...]) -> None:
    """Create a user and print its id."""
    with administered(config, database, modules) as app:
        user = create_user(app, login, password, admin=admin, name=name, roles=roles)
    click.echo(user.id)
    err.print(f"created user {login!r}" + (" (administrator)" if admin else ""))


@user_group.command("passwd")
@boot_options
@click.option("--login", required=True, help="whose password to set")
@_password_option
def passwd_command(config: str | None, database: str | None, modules: tuple[str, ...],
                   login: str, password: str) -> None:
    """Set a user's password and revoke the user's sessions."""
    with administered(config, database, modules) as app:
        revoked = set_password(app, login, password)
    err.print(f"password of {login!r} changed; {revoked} session(s) revoked")


def create_user(app: Any, login: str, password: str, *, admin: bool = False,
                name: str | None = None, roles: tuple[str, ...] | list[str] = ()) -> Any:
    """Create the user `login` (password hashed) holding `roles` (codes); returns the record."""
    if app.data.query_one(USER, filters={"login": login}) is not None:
        raise UserCommandError(f"a user with login {login!r} already exists", model=USER,
                               field="login")
    role_ids = []
    for code in dict.fromkeys(roles):
        role = app.data.query_one(ROLE, filters={"code": code})
        if role is None:
            raise UserCommandError(f"no role has the code {code!r}", model=ROLE, field="code")
        role_ids.append(role.id)
    user = app.registry.model(USER).cls(login=login, name=name, active=True, is_admin=admin,
                                        password=hash_password(password), roles=role_ids)
    return app.data.create(user)


def set_password(app: Any, login: str, password: str) -> int:
    """Give `login` a new password and revoke its live tokens; how many were revoked."""
    user = app.data.query_one(USER, filters={"login": login})
    if user is None:
        raise UserCommandError(f"no user has the login {login!r}", model=USER, field="login")
    user.password = hash_password(password)
    app.data.update_by_id(user)
    return tokens.revoke_all(app, user.id)
