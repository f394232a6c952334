"""`modelry worker`, `modelry tasks list|retry|cancel`, `modelry schedules`: background work
from the command line."""
from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console

from modelry.cli_options import boot_options
from modelry.errors import ModelryError

err = Console(stderr=True, highlight=False)
EXIT_FAILED = 1


def _lifecycle(config: str | None, lifecycle: str | None) -> str:
    from modelry.config import load_settings
    if lifecycle:
        return lifecycle
    settings = load_settings(config)
    return settings.lifecycle if "lifecycle" in settings.model_fields_set else "reload"


@contextmanager
def booted(config: str | None, database: str | None, modules: tuple[str, ...],
           lifecycle: str | None = None) -> Iterator[Any]:
    """The application a task command works on (RELOAD unless told); errors exit 1."""
    from modelry.boot import boot
    try:
        app = boot(database=database, modules=list(modules) or None, config=config,
                   lifecycle=_lifecycle(config, lifecycle))
    except ModelryError as error:
        err.print(f"[red]failed ({error.code}):[/red] {error.message}")
        sys.exit(EXIT_FAILED)
    try:
        yield app
    finally:
        app.close()


@click.command("worker")
@boot_options
@click.option("--threads", type=int, help="tasks run at once (default: tasks.threads, 2)")
@click.option("--lifecycle", help="boot lifecycle (default: the config's, else reload)")
@click.option("--grace", default=30.0, show_default=True,
              help="seconds running tasks get to finish after SIGTERM or Ctrl-C")
def worker_command(config: str | None, database: str | None, modules: tuple[str, ...],
                   threads: int | None, lifecycle: str | None, grace: float) -> None:
    """Run queued tasks (and due schedules) until stopped."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    with booted(config, database, modules, lifecycle) as app:
        worker = app.tasks.worker(threads).start()
        err.print(f"modelry worker {worker.name}: {worker.threads} thread(s), "
                  f"{', '.join(app.registry.modules)} on {app.dialect}")
        while not stop.wait(1.0):
            pass
        err.print("stopping: waiting for running tasks")
        worker.stop(grace)


def register(main: click.Group) -> None:
    """Add the task commands to the `modelry` command group."""
    main.add_command(worker_command)
