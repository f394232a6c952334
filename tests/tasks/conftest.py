"""Fixtures of the task tests: the `tasktest` module booted once per file and database,
fast worker settings, and empty task and effect tables for every test."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from modelry.boot import App
from modelry.core.security.grants import grant_module
from tests.functions.helpers import Client, boot_modules
from tests.tasks.taskmodule import jobs

TASKTEST = "tests.tasks.taskmodule"
FAST = {"poll_interval": 0.05, "lease_margin": 0.5, "maintenance_interval": 0.1,
        "scheduler": False,  # schedule tests tick by hand, at the times they choose
        "broker_lease": 5.0}


@pytest.fixture(scope="module")
def booted(database_url: str) -> Iterator[App]:
    """`tasktest` on the test database; anonymous may use all of it."""
    app = boot_modules(database_url, [TASKTEST])
    grant_module(app, "tasktest")
    app.tasks.settings = replace(app.tasks.settings, **FAST)
    yield app
    app.close()


@pytest.fixture
def tapp(booted: App) -> Iterator[App]:
    """The booted app, active in this test, with no tasks, schedule runs or effects."""
    with booted.engine.begin() as connection:
        for code in ("base.ScheduleRun", "base.Schedule", "base.Task", "tasktest.Effect"):
            connection.execute(booted.data.table(booted.registry.model(code)).delete())
    jobs.HOOK_SAW.clear()
    with booted.activate():
        yield booted
    booted.tasks.close(wait=5)


@pytest.fixture(scope="module")
def booted_client(booted: App) -> Client:
    """One in-process GraphQL client for the file."""
    return Client(booted)


@pytest.fixture
def client(tapp: App, booted_client: Client) -> Client:
    """The GraphQL client of `tapp` (anonymous, every right on tasktest)."""
    return booted_client
