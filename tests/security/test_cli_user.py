"""`modelry user create|passwd` against a temporary SQLite file booted with INSTALL first."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from modelry.boot import App, boot
from modelry.cli_user import user_group
from modelry.core.security import tokens
from modelry.core.security.passwords import is_hashed, verify_password
from tests.boot.helpers import cli_command, cli_environment


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file with the base module installed (and its built-in roles)."""
    url = f"sqlite:///{tmp_path / 'users.db'}"
    boot(database=url, lifecycle="install").close()
    return url


def user_command(database: str, *arguments: str, **options: Any) -> Result:
    """`modelry user ...` in this process."""
    return CliRunner().invoke(user_group, [arguments[0], "--database", database,
                                           *arguments[1:]], **options)


@pytest.fixture
def reopen(database: str) -> Iterator[Any]:
    """`reopen()`: the database booted with RELOAD, to look at what the CLI wrote."""
    apps: list[App] = []

    def open_app() -> App:
        apps.append(boot(database=database, lifecycle="reload"))
        return apps[-1]

    yield open_app
    for app in apps:
        app.close()


def users(app: App) -> dict[str, Any]:
    with app.transaction():
        found = app.data.query_list("base.User", sort="id")
        return {u.login: (u, sorted(r.code for r in u.roles)) for u in found}


def test_create_prints_the_id_and_stores_a_hash(database: str, reopen: Any) -> None:
    result = user_command(database, "create", "--login", "ann", "--password", "s3cret!",
                          "--name", "Ann Lee")
    assert result.exit_code == 0, result.output
    app = reopen()
    user, roles = users(app)["ann"]
    assert result.stdout.splitlines()[0] == str(user.id)
    assert (user.name, user.active, user.is_admin, roles) == ("Ann Lee", True, False, [])
    assert is_hashed(user.password) and verify_password("s3cret!", user.password)
    assert "s3cret!" not in result.output
    assert tokens.resolve(app, tokens.login(app, "ann", "s3cret!")[0]).login == "ann"


def test_create_an_admin_with_roles(database: str, reopen: Any) -> None:
    result = user_command(database, "create", "--login", "root", "--password", "pw", "--admin",
                          "--role", "user", "--role", "anonymous", "--role", "user")
    assert result.exit_code == 0, result.output
    app = reopen()
    user, roles = users(app)["root"]
    assert user.is_admin is True and roles == ["anonymous", "user"]
    identity = tokens.resolve(app, tokens.login(app, "root", "pw")[0])
    assert identity.is_admin and identity.roles == frozenset({"user", "anonymous"})


def test_a_duplicate_login_is_a_clear_error(database: str, reopen: Any) -> None:
    assert user_command(database, "create", "--login", "ann", "--password", "one").exit_code == 0
    again = user_command(database, "create", "--login", "ann", "--password", "two")
    assert again.exit_code == 1
    assert "a user with login 'ann' already exists" in again.output
    assert "two" not in again.output
    user, _ = users(reopen())["ann"]
    assert verify_password("one", user.password)


def test_an_unknown_role_creates_nothing(database: str, reopen: Any) -> None:
    result = user_command(database, "create", "--login", "ann", "--password", "pw",
                          "--role", "nosuchrole")
    assert result.exit_code == 1
    assert "no role has the code 'nosuchrole'" in result.output
    assert users(reopen()) == {}


def test_an_empty_password_is_refused(database: str, reopen: Any) -> None:
    result = user_command(database, "create", "--login", "ann", "--password", "")
    assert result.exit_code == 1
    assert "PASSWORD_REFUSED" in result.output and "must not be empty" in result.output
    assert users(reopen()) == {}


def test_the_password_is_prompted_without_echo(database: str, reopen: Any) -> None:
    result = user_command(database, "create", "--login", "ann", input="pr0mpted\npr0mpted\n")
    assert result.exit_code == 0, result.output
    assert "pr0mpted" not in result.output
    user, _ = users(reopen())["ann"]
    assert verify_password("pr0mpted", user.password)


def test_passwd_sets_a_new_password_and_ends_sessions(database: str, reopen: Any) -> None:
    user_command(database, "create", "--login", "ann", "--password", "old-pw")
    app = reopen()
    session, _ = tokens.login(app, "ann", "old-pw")
    result = user_command(database, "passwd", "--login", "ann", "--password", "new-pw")
    assert result.exit_code == 0, result.output
    assert "1 session(s) revoked" in result.output and "new-pw" not in result.output
    with pytest.raises(tokens.Unauthenticated):
        tokens.resolve(app, session)
    with pytest.raises(tokens.LoginFailed):
        tokens.login(app, "ann", "old-pw")
    assert tokens.login(app, "ann", "new-pw")[0]


def test_passwd_of_an_unknown_login_fails(database: str) -> None:
    result = user_command(database, "passwd", "--login", "nobody", "--password", "pw")
    assert result.exit_code == 1
    assert "no user has the login 'nobody'" in result.output


def test_a_database_without_tables_is_a_clear_error(tmp_path: Path) -> None:
    result = user_command(f"sqlite:///{tmp_path / 'empty.db'}", "create", "--login", "ann",
                          "--password", "pw")
    assert result.exit_code == 1
    assert "failed (" in result.output
    assert "Traceback" not in result.output


def test_the_module_set_must_match_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    boot(database=url, modules=["demo"], lifecycle="install").close()
    refused = user_command(url, "create", "--login", "ann", "--password", "pw")
    assert refused.exit_code == 1
    assert "BOOT_REFUSED" in refused.output and "--module/--config" in refused.output
    created = user_command(url, "create", "--module", "demo", "--login", "ann",
                           "--password", "pw")
    assert created.exit_code == 0, created.output


def cli(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(*arguments), cwd=cwd, env=cli_environment(),
                          capture_output=True, text=True, timeout=120)


def test_modelry_user_create_in_a_child_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    installed = cli(tmp_path, "boot", "--lifecycle", "install", "--database", url)
    assert installed.returncode == 0, installed.stderr
    created = cli(tmp_path, "user", "create", "--database", url, "--login", "admin",
                  "--password", "s3cret!", "--admin")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().isdigit()
    duplicate = cli(tmp_path, "user", "create", "--database", url, "--login", "admin",
                    "--password", "other")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    app = boot(database=url, lifecycle="reload")
    try:
        identity = tokens.resolve(app, tokens.login(app, "admin", "s3cret!")[0])
        assert identity.is_admin and identity.user_id == int(created.stdout.strip())
    finally:
        app.close()
