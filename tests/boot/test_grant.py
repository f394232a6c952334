"""`modelry grant`: a role gets the rights on a module, a model or a function, as the
permission hook then reads them; granting twice changes nothing, and nothing is revoked."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from modelry.boot import App, boot
from modelry.cli_grant import grant_command
from modelry.core.security.rights import Rights, RightsCache

EVERYTHING = {"read", "create", "update", "delete"}


@pytest.fixture
def database(empty_database: str) -> str:
    """The demo module installed on each test database."""
    boot(database=empty_database, modules=["demo"], lifecycle="install").close()
    return empty_database


@pytest.fixture
def reopen(database: str) -> Iterator[Any]:
    """`reopen()`: the database booted with RELOAD, to look at what the command wrote."""
    apps: list[App] = []

    def open_app() -> App:
        apps.append(boot(database=database, modules=["demo"], lifecycle="reload"))
        return apps[-1]

    yield open_app
    for app in apps:
        app.close()


def grant(database: str, *arguments: str) -> Result:
    """`modelry grant ... --database DATABASE` in this process."""
    return CliRunner().invoke(grant_command, [*arguments, "--database", database])


def rights_of(app: App, role: str) -> Rights:
    """What the permission hook lets `role` do."""
    return RightsCache(app).rights(frozenset({role}))


def counts(app: App) -> tuple[int, int, int]:
    with app.transaction():
        return tuple(app.data.count(code) for code in (  # type: ignore[return-value]
            "base.Role", "base.ModelAccess", "base.FunctionAccess"))


def test_a_module_grant_gives_every_right_once(database: str, reopen: Any) -> None:
    first = grant(database, "--role", "user", "--module", "demo")
    assert first.exit_code == 0, first.output
    assert "role 'user': module demo:" in first.output and "right(s) granted" in first.output
    app = reopen()
    rights = rights_of(app, "user")
    assert rights.models["demo.PetShop"] == EVERYTHING
    assert rights.models["demo.ShopReport"] == {"read"}     # transient: only constructed
    assert ("demo.ShopService", "report") in rights.functions
    before = counts(app)

    again = grant(database, "--role", "user", "--module", "demo")
    assert again.exit_code == 0, again.output
    assert "role 'user': module demo: already granted" in again.output
    assert counts(app) == before


def test_a_model_grant_adds_perms_and_takes_none_away(database: str, reopen: Any) -> None:
    created = grant(database, "--role", "clerk", "--model", "demo.PetShop",
                    "--perms", "read,update")
    assert created.exit_code == 0, created.output
    assert "created role 'clerk'" in created.output
    assert "model demo.PetShop: read, update granted" in created.output
    app = reopen()
    assert rights_of(app, "clerk").models == {"demo.PetShop": {"read", "update"}}

    more = grant(database, "--role", "clerk", "--model", "demo.PetShop", "--model",
                 "demo.PetTag", "--perms", "delete")
    assert more.exit_code == 0, more.output
    assert rights_of(app, "clerk").models == {"demo.PetShop": {"read", "update", "delete"},
                                              "demo.PetTag": {"delete"}}
    before = counts(app)
    held = grant(database, "--role", "clerk", "--model", "demo.PetShop", "--perms", "read")
    assert "model demo.PetShop: already granted" in held.output
    assert counts(app) == before
    everything = grant(database, "--role", "clerk", "--model", "demo.PetShop")  # default
    assert "model demo.PetShop: create granted" in everything.output
    assert rights_of(app, "clerk").models["demo.PetShop"] == EVERYTHING


def test_a_function_grant(database: str, reopen: Any) -> None:
    first, again = (grant(database, "--role", "anonymous", "--function",
                          "demo.ShopService.report") for _ in range(2))
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert "function demo.ShopService.report: granted" in first.output
    assert "function demo.ShopService.report: already granted" in again.output
    app = reopen()
    assert rights_of(app, "anonymous").functions == {("demo.ShopService", "report")}
    assert counts(app)[2] == 1


@pytest.mark.parametrize(("arguments", "words"), [
    (("--model", "demo.Nope"), "no loaded module declares the model 'demo.Nope'"),
    (("--model", "demo.Named"), "abstract model"),
    (("--model", "demo.ShopReport", "--perms", "read,create"), "transient model"),
    (("--function", "demo.PetShop.nothing"), "no loaded module declares the function"),
    (("--module", "nosuchmodule"), "nosuchmodule"),
])
def test_what_cannot_be_granted_is_refused_and_nothing_written(
        database: str, reopen: Any, arguments: tuple[str, ...], words: str) -> None:
    before = counts(reopen())
    result = grant(database, "--role", "clerk", *arguments)
    assert result.exit_code == 1, result.output
    assert words in " ".join(result.output.split())
    assert "created role" not in result.output
    assert counts(reopen()) == before  # not even the role


@pytest.mark.parametrize(("arguments", "words"), [
    ((), "name what to grant"),
    (("--model", "demo.PetShop", "--perms", "read,own"), "expected some of read, create"),
])
def test_a_bad_command_line_is_a_usage_error(database: str, arguments: tuple[str, ...],
                                             words: str) -> None:
    result = grant(database, "--role", "clerk", *arguments)
    assert result.exit_code == 2 and words in result.output
