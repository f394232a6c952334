"""Fixtures of the boot tests: an empty database per test, and boots closed at teardown."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from modelry.boot import App, boot
from tests.conftest import drop_everything


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No `modelry.yaml` from the working directory, no MODELRY_* variables."""
    for variable in ("MODELRY_CONFIG", "MODELRY_DATABASE_URL", "MODELRY_MODULES",
                     "MODELRY_LIFECYCLE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """The session's test database with no tables at all (dropped again afterwards)."""
    drop_everything(database_url)
    yield database_url
    drop_everything(database_url)


@pytest.fixture
def booted(empty_database: str) -> Iterator[Callable[..., App]]:
    """`booted(modules, lifecycle, **options)` boots on the empty database; every app it
    returns is closed before the database is dropped."""
    apps: list[App] = []

    def run(modules: list[Any], lifecycle: str, **options: Any) -> App:
        app = boot(database=empty_database, modules=modules, lifecycle=lifecycle,
                   options=options)
        apps.append(app)
        return app

    yield run
    for app in apps:
        app.close()
