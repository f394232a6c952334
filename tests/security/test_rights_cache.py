"""The rights cache never keeps what may be stale: a load that began before a write of
rights, a load inside a transaction that wrote rights (it may roll back), and a load
between a write and its commit (forgotten at the commit)."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry.boot import App
from tests.security.conftest import make_role

ROLES = frozenset({"clerk"})
SHOP = "demo.PetShop"


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    booted = make_app(["demo"], grant_anonymous=False)
    with booted.activate():
        role = make_role(booted, "clerk")
        with booted.transaction():
            booted.data.create(booted.registry.model("base.ModelAccess").cls(
                role=role, model=SHOP, perm_read=True))
        yield booted


def perms(app: App) -> set[str]:
    return set(app.data.rights_cache.rights(ROLES).models.get(SHOP, set()))


def grant_create(app: App) -> None:
    access = app.data.query_one("base.ModelAccess", filters={"model": SHOP})
    access.perm_create = True
    app.data.update_by_id(access)


def grant_delete_by_hand(app: App) -> None:
    """A right changed behind the data manager's back: only a reload can see it."""
    table = app.data.table(app.registry.model("base.ModelAccess"))
    with app.engine.begin() as connection:
        connection.execute(sa.update(table).values(perm_delete=True))


def test_a_load_that_a_write_overtook_is_not_kept(app: App, monkeypatch: Any) -> None:
    cache = app.data.rights_cache
    original = cache._load

    def overtaken(roles: frozenset[str]) -> Any:
        loaded = original(roles)
        cache.invalidate()             # a write of rights lands while this load runs
        return loaded

    monkeypatch.setattr(cache, "_load", overtaken)
    assert perms(app) == {"read"}
    monkeypatch.setattr(cache, "_load", original)
    grant_delete_by_hand(app)
    assert perms(app) == {"read", "delete"}   # read again: the overtaken load was not kept


def test_rights_read_in_the_transaction_that_wrote_them_are_not_kept(app: App) -> None:
    assert perms(app) == {"read"}
    with pytest.raises(RuntimeError), app.transaction():
        grant_create(app)
        assert perms(app) == {"read", "create"}   # the transaction sees its own write
        raise RuntimeError("roll the grant back")
    assert perms(app) == {"read"}


def test_a_load_between_a_write_and_its_commit_is_forgotten_at_the_commit(
        app: App, backend: str) -> None:
    between = backend != "sqlite"   # SQLite's transactions wait for its one writer
    written, read = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with app.activate(), app.transaction():
                grant_create(app)
                written.set()
                assert not between or read.wait(30)
        except BaseException as error:  # noqa: BLE001 - re-raised below
            failures.append(error)
            written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(30)
    if between:
        assert perms(app) == {"read"}    # the committed rows, before the writer commits
    read.set()
    thread.join(30)
    assert not failures, failures
    assert perms(app) == {"read", "create"}   # without the forget at commit: 30 s stale
