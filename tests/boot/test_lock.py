"""The boot lock: a writing boot waits a bounded time for it and then fails clearly; DDL and
RELOAD never wait; the lock covers one database, not the whole server."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelry import Model, Module, fields
from modelry.boot import boot
from modelry.boot import lifecycle as lifecycle_module
from modelry.boot.engine import create_engine, normalise_url
from modelry.boot.lock import BootLockTimeout, boot_lock
from tests.databases import server_database
from tests.boot.helpers import catalog

MODULE = Module("bt_lock", version="1.0.0", depends=["base"])


class Gate(Model, model="bt_lock.Gate"):
    """Something to install."""

    name = fields.String(size=32)


def test_a_held_lock_times_a_writing_boot_out(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        with boot_lock(engine, timeout=5):
            started = time.monotonic()
            with pytest.raises(BootLockTimeout) as timed_out:
                boot(database=empty_database, modules=[MODULE], lifecycle="install",
                     options={"lock_timeout": 1})
            waited = time.monotonic() - started
    finally:
        engine.dispose()
    assert timed_out.value.code == "BOOT_LOCK_TIMEOUT"
    assert "timed out after 1s" in timed_out.value.message
    assert 0.9 <= waited < 5
    assert catalog(empty_database)["tables"] == {}
    # Released: the next boot installs.
    with boot(database=empty_database, modules=[MODULE], lifecycle="install",
              options={"lock_timeout": 5}) as app:
        assert app.report.installed == ["base", "bt_lock"]


@pytest.mark.parametrize("lifecycle", ["package", "custom_install"])
def test_every_writing_lifecycle_takes_the_lock(empty_database: str, lifecycle: str) -> None:
    engine = create_engine(empty_database)
    try:
        with boot_lock(engine, timeout=5), pytest.raises(BootLockTimeout):
            boot(database=empty_database, modules=[MODULE], lifecycle=lifecycle,
                 options={"lock_timeout": 0.5})
    finally:
        engine.dispose()


def test_ddl_and_reload_do_not_wait_for_the_lock(empty_database: str) -> None:
    with boot(database=empty_database, modules=[MODULE], lifecycle="install"):
        pass
    engine = create_engine(empty_database)
    try:
        with boot_lock(engine, timeout=5):
            started = time.monotonic()
            with boot(database=empty_database, modules=[MODULE], lifecycle="reload",
                      options={"lock_timeout": 30}) as reload:
                assert reload.report.reloaded == ["base", "bt_lock"]
            with boot(database=empty_database, modules=[MODULE], lifecycle="ddl",
                      options={"lock_timeout": 30}) as ddl:
                assert "-- no changes" in ddl.report.ddl
            assert time.monotonic() - started < 10
    finally:
        engine.dispose()


@pytest.fixture
def other_database(backend: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same server as the test database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    name = f"{normalise_url(database_url).database}_other"[:60]
    with server_database(database_url, name) as url:
        yield url


def test_the_lock_covers_one_database_only(empty_database: str, other_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        with boot_lock(engine, timeout=5), boot(
                database=other_database, modules=[MODULE], lifecycle="install",
                options={"lock_timeout": 1}) as app:
            assert app.report.installed == ["base", "bt_lock"]
    finally:
        engine.dispose()


def test_an_instance_that_waited_for_the_lock_finds_nothing_to_do(
        empty_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Instances A and B start together; A takes the lock and installs; B, which started a
    moment after A and waited for the lock, must find nothing to do (issue 4, item 7)."""
    starts: list[dt.datetime] = []
    real_now = lifecycle_module.utc_now

    def recording_now() -> dt.datetime:
        starts.append(real_now())
        return starts[-1]

    monkeypatch.setattr(lifecycle_module, "utc_now", recording_now)
    with boot(database=empty_database, modules=[MODULE], lifecycle="install") as first:
        assert first.report.installed == ["base", "bt_lock"]
    b_started = starts[0] + dt.timedelta(microseconds=1)  # B's clock: just after A started
    monkeypatch.setattr(lifecycle_module, "utc_now", lambda: b_started)
    before = catalog(empty_database)
    with boot(database=empty_database, modules=[MODULE], lifecycle="install") as second:
        report = second.report
    assert (report.installed, report.upgraded) == ([], [])
    assert report.reloaded == ["base", "bt_lock"]
    assert catalog(empty_database) == before


def test_a_short_lock_timeout_does_not_shorten_later_sqlite_waits(tmp_path: Path) -> None:
    """On SQLite the boot lock is the connection's busy timeout; data calls on the same
    pooled connection afterwards wait as long as usual again."""
    url = f"sqlite:///{tmp_path / 'short.db'}"
    with boot(database=url, modules=[MODULE], lifecycle="install",
              options={"lock_timeout": 0.5}) as app, app.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
