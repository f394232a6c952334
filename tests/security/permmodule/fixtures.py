"""The people, roles and rights of the permission tests, rebuilt for every test.

Roles: `anonymous` and `user` (no rights), `reader` (reads memos), `full` (everything on
memos, reads folders, calls both functions), `ruled` (as full, but only memos it
created: a record rule), `hider` (as full, with `salary` hidden and `stamp` read-only).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.core.security.identity import ANONYMOUS, Identity
from tests.conftest import _empty_tables
from tests.functions.helpers import Client, boot_modules

MEMO, FOLDER = "permtest.Memo", "permtest.Folder"
OWN_RECORDS = "createUid==$#{currentUserId}"


@dataclass
class World:
    """Ids of what `build` made, and the identities that act in the tests."""

    app: App
    roles: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    memos: dict[str, int] = field(default_factory=dict)
    folder: int = 0
    identities: dict[str, Identity] = field(default_factory=dict)

    def cls(self, code: str) -> Any:
        """The record class of model `code`."""
        return self.app.registry.model(code).cls

    def memo(self, key: str) -> Any:
        """Memo `key` as stored (read as back-end code, past every rule)."""
        with directives.scope(), self.app.transaction():
            return self.cls(MEMO).query_by_id(self.memos[key])

    def memo_titles(self) -> list[str]:
        """Titles of every stored memo, by id."""
        with directives.scope(), self.app.transaction():
            return [m.title for m in self.cls(MEMO).query_list(sort="id")]

    def add_memo(self, key: str, owner: str | None, **values: Any) -> int:
        """Store memo `key`, created by user `owner` (None: nobody)."""
        with directives.scope(), self.app.transaction(), \
                self.app.acting_as(self.users.get(owner or "")):
            memo = self.cls(MEMO)(title=key, folder=self.folder, **values).create()
        self.memos[key] = memo.id
        return memo.id

    def write(self, model: str, /, **values: Any) -> Any:
        """Create a record of `model` through the data manager (as back-end code)."""
        with directives.scope(), self.app.transaction():
            return self.cls(model)(**values).create()


def build(app: App) -> World:
    """Empty every table, then make the roles, users, rights, a folder and two memos."""
    _empty_tables(app)
    world = World(app)
    with directives.scope(), app.transaction():  # one transaction: set-up is quick
        _populate(world)
    app.data.rights_cache.invalidate()  # emptied tables were not written through the manager
    return world


def _populate(world: World) -> None:
    def make(code: str, /, **values: Any) -> int:
        return world.cls(code)(**values).create().id

    for code in ("anonymous", "user", "reader", "full", "ruled", "hider"):
        world.roles[code] = make("base.Role", code=code, name=code)
    member = {"ann": "ruled", "bob": "full", "carl": None, "dora": "reader", "hugo": "hider"}
    for login, role in member.items():
        roles = [world.roles["user"]] + ([world.roles[role]] if role else [])
        world.users[login] = make("base.User", login=login, roles=roles)
    world.users["root"] = make("base.User", login="root", is_admin=True,
                               roles=[world.roles["user"]])
    make("base.ModelAccess", role=world.roles["reader"], model=MEMO, perm_read=True)
    for role in ("full", "ruled", "hider"):
        make("base.ModelAccess", role=world.roles[role], model=MEMO, perm_read=True,
             perm_create=True, perm_update=True, perm_delete=True)
        make("base.ModelAccess", role=world.roles[role], model=FOLDER, perm_read=True)
        for fun in ("archive", "totalSalary"):
            make("base.FunctionAccess", role=world.roles[role], namespace=MEMO, fun=fun)
    make("base.RecordRule", role=world.roles["ruled"], model=MEMO, rsql=OWN_RECORDS)
    make("base.FieldAccess", role=world.roles["hider"], model=MEMO, field="salary",
         hidden=True)
    make("base.FieldAccess", role=world.roles["hider"], model=MEMO, field="stamp",
         readonly=True)
    world.folder = make(FOLDER, name="shared")
    world.add_memo("ann's memo", "ann", salary=Decimal("10"), stamp="A")
    world.add_memo("bob's memo", "bob", salary=Decimal("20"), stamp="B")
    people = {"no rights": "carl", "reader": "dora", "full": "bob", "ruled": "ann",
              "hider": "hugo"}
    world.identities = {"anonymous": ANONYMOUS, "admin": Identity(
        user_id=world.users["root"], login="root", roles=frozenset({"user"}), is_admin=True)}
    for name, login in people.items():
        role = member[login]
        world.identities[name] = Identity(
            user_id=world.users[login], login=login,
            roles=frozenset({"user", role} if role else {"user"}))


@pytest.fixture(scope="module")
def perm_app(database_url: str) -> Iterator[App]:
    """`permtest` on the test database, booted once per test file."""
    app = boot_modules(database_url, ["tests.security.permmodule"])
    yield app
    app.close()


@pytest.fixture(scope="module")
def clients(perm_app: App) -> dict[str, Client]:
    """GraphQL clients of `perm_app`: `compiled` (the default settings) and `general`."""
    return {"compiled": Client(perm_app), "general": Client(perm_app, compiled=False)}


@pytest.fixture
def world(perm_app: App) -> World:
    """A fresh world for this test."""
    return build(perm_app)
