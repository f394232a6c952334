"""Shared fixtures: the databases under test and applications booted on them.

MODELRY_TEST_DATABASES lists URLs (comma-separated; `sqlite` means a temporary file).
MODELRY_REQUIRE_DATABASES lists backends that must be present (CI sets all three);
then a skipped test fails the run.
"""
from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa

from modelry.boot import App, boot
from modelry.boot.engine import create_engine, normalise_url
from modelry.core.security.grants import grant_module
from tests.databases import server_database

# sealed secrets (fields.Secret) in tests use this key, not a key file in the checkout
os.environ.setdefault("MODELRY_SECRET_KEY", "modelry tests: not a deployment's key")
RAW = [u.strip() for u in os.environ.get("MODELRY_TEST_DATABASES", "sqlite").split(",")
       if u.strip()]
REQUIRED = {b.strip() for b in os.environ.get("MODELRY_REQUIRE_DATABASES", "").split(",")
            if b.strip()}


def _backend(url: str) -> str:
    return "sqlite" if url == "sqlite" else normalise_url(url).get_backend_name()


DATABASES = {_backend(url): url for url in RAW}


@sa.event.listens_for(sa.pool.Pool, "connect")
def _quick_sqlite_commits(dbapi_connection: Any, _record: Any) -> None:
    """SQLite test databases commit without waiting for the disk (a crash of the machine is
    no concern here; visibility and locking are unchanged): a sync per commit cost the
    suite more than the statements. PostgreSQL's test databases do the same
    (`server_database`)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "long_running: the test takes tens of seconds; its file is run first")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Fewer full passes of the cyclic collector: the suite boots an app (~150,000 objects)
    in most tests, so with Python's thresholds a full collection, walking the imported
    libraries and every app still alive, ran every few tests (~320 s of the suite's CPU,
    a sixth). What the imports made is frozen (it lives to the end anyway); the young
    generation is collected every 50,000 allocations instead of 700, the middle one every
    50 of those and the old one every 100 of those (10 and 10 by default). Cycles are
    still collected, so memory stays bounded."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with a long_running test first, the others in the order they are collected.

    `--dist loadfile` hands out whole files in this order (pyproject.toml turns off
    xdist's own order, most tests first, which left the longest files, with a test per
    database, to the end: one worker ran them alone). Files of one folder stay together,
    so a worker's next file often boots the modules its database already holds.
    """
    long_files = {item.path for item in items if item.get_closest_marker("long_running")}
    items.sort(key=lambda item: item.path not in long_files)


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = REQUIRED - set(DATABASES)
    if missing:
        raise pytest.UsageError(f"MODELRY_REQUIRE_DATABASES wants {sorted(missing)}, but "
                                f"MODELRY_TEST_DATABASES has only {sorted(DATABASES)}")
    for backend, url in DATABASES.items():
        if backend == "sqlite":
            continue
        try:
            with create_engine(url).connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except Exception as error:  # noqa: BLE001
            raise pytest.UsageError(
                f"cannot reach the {backend} test database {url}: {error}") from None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if REQUIRED and skipped:
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped while MODELRY_REQUIRE_DATABASES is set",
            red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRED and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = 1


@pytest.fixture(params=sorted(DATABASES), scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """Each configured backend in turn: sqlite, postgresql, mysql."""
    return request.param


@pytest.fixture(scope="session")
def _private_databases(
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """The URL of this session's private database on a backend, made when first asked for
    and dropped when the session ends.

    Not parametrized, so it outlives `backend`: with `--dist loadfile` a worker runs each
    file's MariaDB tests, then its PostgreSQL and SQLite ones, and a database made per
    switch of backend cost a CREATE DATABASE and an INSTALL per file and backend.
    """
    made: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        def url(backend: str) -> str:
            if backend not in made:
                made[backend] = _private_database(backend, tmp_path_factory, stack)
            return made[backend]
        yield url


def _private_database(backend: str, tmp_path_factory: pytest.TempPathFactory,
                      stack: contextlib.ExitStack) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    base = normalise_url(DATABASES[backend])
    name = f"{base.database}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    url = stack.enter_context(server_database(DATABASES[backend], name))
    _installed.pop(url, None)  # a fresh database holds no tables yet
    return url


@pytest.fixture(scope="session")
def database_url(backend: str, _private_databases: Callable[[str], str]) -> str:
    """A private database on `backend` for this test session (dropped at the end).

    Each session (and each xdist worker) gets its own database, so concurrent runs
    against one server do not see each other's tables.
    """
    return _private_databases(backend)


_installed: dict[str, str] = {}  # url → fingerprint of the schema the database holds


def drop_everything(url: str) -> None:
    """Drop every table in the test database."""
    _installed.pop(url, None)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "mysql":
                connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            metadata = sa.MetaData()
            metadata.reflect(connection)
            for table in metadata.sorted_tables:
                _cut_own_links(connection, table)
            metadata.drop_all(connection)
            if connection.dialect.name == "mysql":
                connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        engine.dispose()


METADATA_MODELS = ("base.ModuleDefinition", "base.ModelDefinition", "base.ModelField",
                   "base.FunctionDefinition", "base.SchemaState")


def _empty_tables(app: App) -> None:
    """Delete every row, except the persisted metadata a RELOAD checks."""
    keep = {app.registry.model(code).table for code in METADATA_MODELS}
    with app.engine.begin() as connection:
        for table in reversed(app.metadata.sorted_tables):
            if table.name not in keep:
                _cut_own_links(connection, table)
                connection.execute(table.delete())


def _cut_own_links(connection: sa.Connection, table: sa.Table) -> None:
    """A row may reference another of its table (a merchant's parent agent): set those
    references to NULL, since a RESTRICT one refuses deleting (or dropping) the rows."""
    own = [key.parent for key in table.foreign_keys
           if key.column.table is table and key.parent.nullable]
    if own:
        connection.execute(table.update().values({column.name: None for column in own}))


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., App]]:
    """Boot an app on the test database with empty tables for the given modules.

    Reuses the tables (emptied) when the database already holds the same schema.
    """
    apps: list[App] = []

    def make(modules: list[Any], options: dict[str, Any] | None = None,
             grant_anonymous: bool = True, **engine_options: Any) -> App:
        unchecked = {"module_online": "never", **(options or {})}
        app = boot(database=database_url, modules=modules, lifecycle="reload",
                   options=unchecked, **engine_options)
        fingerprint = app.registry.fingerprint()
        if _installed.get(database_url) == fingerprint:
            _empty_tables(app)
        else:
            app.close()
            drop_everything(database_url)
            app = boot(database=database_url, modules=modules, lifecycle="install",
                       options={"init_data": False, **(options or {})}, **engine_options)
            _installed[database_url] = fingerprint
        if grant_anonymous:  # client calls of tests act as anonymous with every right
            for module in app.registry.modules:
                if module != "base":
                    grant_module(app, module)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()  # (its schema's classes too)


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The demo module booted on each test database, tables empty, active in this test."""
    demo = make_app(["demo"])
    with demo.activate():
        yield demo
