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
from rich.table import Table

from modelry import directives
from modelry.cli_options import boot_options
from modelry.core.tasks.contract import TaskError, TaskState, utcnow
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
    from modelry.boot.heap import freeze_booted
    with booted(config, database, modules, lifecycle) as app:
        freeze_booted()  # the collector stops walking the boot's objects (boot/heap.py)
        worker = app.tasks.worker(threads).start()
        err.print(f"modelry worker {worker.name}: {worker.threads} thread(s), "
                  f"{', '.join(app.registry.modules)} on {app.dialect}")
        while not stop.wait(1.0):
            pass
        err.print("stopping: waiting for running tasks")
        worker.stop(grace)


STATES = [state.value for state in TaskState]


@click.group("tasks")
def tasks_group() -> None:
    """List queued tasks (dead letters included); retry or cancel them."""


@tasks_group.command("list")
@boot_options
@click.option("--state", "states", multiple=True, type=click.Choice(STATES),
              help="only tasks in this state (repeatable); default: all")
@click.option("--function", "fun", metavar="NAMESPACE.FUN", help="only calls of this function")
@click.option("--limit", default=50, show_default=True, help="newest first, at most this many")
def list_command(config: str | None, database: str | None, modules: tuple[str, ...],
                 states: tuple[str, ...], fun: str | None, limit: int) -> None:
    """Show tasks, newest first: state, attempts, when they run next, their last error."""
    with booted(config, database, modules) as app:
        found = list_tasks(app, states, fun, limit)
        table = Table(title=f"{len(found)} task(s)", title_justify="left")
        for column in ("id", "function", "state", "attempts", "run after (UTC)", "key",
                       "last error"):
            table.add_column(column, overflow="fold")
        for task in found:
            table.add_row(str(task.id), f"{task.namespace}.{task.fun}", task.state.value,
                          f"{task.attempts}/{task.max_attempts}",
                          f"{task.run_after:%Y-%m-%d %H:%M:%S}", task.key or "",
                          (task.last_error or "")[:120])
        Console(width=160).print(table)


def list_tasks(app: Any, states: tuple[str, ...], fun: str | None, limit: int) -> list[Any]:
    """Tasks in `states` (all when empty) of function `fun`, newest first."""
    filters: dict[str, Any] = {"state__in": list(states)} if states else {}
    if fun:
        namespace, _, name = fun.rpartition(".")
        filters.update(namespace=namespace, fun=name)
    Task = app.registry.model("base.Task").cls
    with directives.scope(), app.transaction(readonly=True):
        return Task.query_list(sort="-id", limit=limit, **filters)


def _move_command(verb: str, help_text: str) -> click.Command:
    @tasks_group.command(verb, help=help_text)
    @boot_options
    @click.argument("ids", nargs=-1, type=int, required=True)
    def command(config: str | None, database: str | None, modules: tuple[str, ...],
                ids: tuple[int, ...]) -> None:
        failed = False
        with booted(config, database, modules) as app:
            Task = app.registry.model("base.Task").cls
            for task_id in ids:
                try:
                    with directives.scope(), app.transaction():
                        task = Task.query_by_id(task_id)
                        if task is None:
                            raise TaskError(f"no task {task_id}", model="base.Task")
                        moved = getattr(task, verb)()
                    err.print(f"task {task_id}: {moved.state.value}")
                except ModelryError as error:
                    err.print(f"[red]task {task_id}: {error.message}[/red]")
                    failed = True
        if failed:
            sys.exit(EXIT_FAILED)
    return command


_move_command("retry", "Run dead, failed or cancelled tasks again (attempts start over).")
_move_command("cancel", "Cancel tasks that wait (pending, failed, or queued to a broker).")


@click.command("schedules")
@boot_options
def schedules_command(config: str | None, database: str | None,
                      modules: tuple[str, ...]) -> None:
    """List the declared schedules: cron (UTC), catch-up, last queued and next due time."""
    with booted(config, database, modules) as app:
        table = Table(title="Schedules (UTC)", title_justify="left")
        for column in ("schedule", "cron", "catch up", "last due", "next due"):
            table.add_column(column)
        for row in schedule_rows(app):
            table.add_row(*row)
        Console(width=160).print(table)


def schedule_rows(app: Any) -> list[tuple[str, ...]]:
    """(code, cron, catch up, last due, next due) of each declared schedule."""
    Schedule = app.registry.model("base.Schedule").cls
    with directives.scope(), app.transaction(readonly=True):
        known = {row.code: row for row in Schedule.query_list()}
    now, rows = utcnow(), []
    for schedule in app.registry.behaviours.schedules:
        stored = known.get(schedule.code)
        last = stored.last_due if stored is not None else None
        rows.append((schedule.code, schedule.cron.expression,
                     "yes" if schedule.catch_up else "no",
                     f"{last:%Y-%m-%d %H:%M}" if last else "never",
                     f"{schedule.cron.next_after(now):%Y-%m-%d %H:%M}"))
    return rows


def register(main: click.Group) -> None:
    """Add the task commands to the `modelry` command group."""
    main.add_command(worker_command)
    main.add_command(tasks_group)
    main.add_command(schedules_command)
