"""Schedules: each due time runs once across every instance, missed due times are caught
up or skipped as declared, the run gets its due time, and `modelry schedules` lists them."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from modelry import TaskState, directives, function, schedule
from modelry.boot import App, boot
from modelry.core.tasks.cron import CronError
from modelry.core.tasks.scheduler import Scheduler
from modelry.errors import DeclarationError
from tests.tasks.conftest import TASKTEST
from tests.tasks.helpers import effects, run_all, tasks
from tests.tasks.test_visibility import cli

FIRST_SEEN = dt.datetime(2024, 5, 1, 1, 58)
FIVE = "tasktest.Jobs.everyFiveMinutes"
NIGHTLY = "tasktest.Jobs.nightly"
HOURLY = "tasktest.hourly-tally"


def runs(app: App) -> list[tuple[str, str]]:
    """(schedule, due time) of every queued run."""
    ScheduleRun = app.registry.model("base.ScheduleRun").cls
    with directives.scope(), app.transaction(readonly=True):
        return sorted((r.schedule, f"{r.due_at:%Y-%m-%d %H:%M}")
                      for r in ScheduleRun.query_list())


def first_seen(app: App, at: dt.datetime = FIRST_SEEN) -> Scheduler:
    """A scheduler that saw its schedules first at `at` (nothing before it is due)."""
    scheduler = Scheduler(app)
    assert scheduler.tick(at) == 0
    table = app.data.table(app.registry.model("base.Schedule"))
    with app.engine.begin() as connection:
        connection.execute(sa.update(table).values(create_date=at))
    return scheduler


def test_a_due_time_queues_one_run_which_gets_its_due_time(tapp: App) -> None:
    scheduler = first_seen(tapp)
    assert scheduler.tick(FIRST_SEEN + dt.timedelta(minutes=1)) == 0
    assert scheduler.tick(dt.datetime(2024, 5, 1, 2, 0, 5)) == 2  # 02:00: two are due
    assert scheduler.tick(dt.datetime(2024, 5, 1, 2, 0, 30)) == 0  # the same due time
    assert runs(tapp) == [(FIVE, "2024-05-01 02:00"), (NIGHTLY, "2024-05-01 02:00")]
    run_all(tapp.tasks.worker())
    assert effects(tapp) == {"five@02:00": None, "nightly@2024-05-01 02:00": None}
    assert all(t.state is TaskState.DONE for t in tasks(tapp))
    assert {t.key for t in tasks(tapp)} == {f"schedule:{FIVE}@2024-05-01T02:00",
                                            f"schedule:{NIGHTLY}@2024-05-01T02:00"}


def test_missed_due_times_are_caught_up_or_skipped_as_declared(tapp: App) -> None:
    scheduler = first_seen(tapp)
    scheduler.tick(dt.datetime(2024, 5, 3, 2, 31))  # two days later: nothing ran meanwhile
    five = [due for name, due in runs(tapp) if name == FIVE]
    assert len(five) == 100  # the newest MAX_CATCH_UP of 583 missed due times
    assert five[-1] == "2024-05-03 02:30" and five[0] == "2024-05-02 18:15"
    assert [due for name, due in runs(tapp) if name == NIGHTLY] == ["2024-05-03 02:00"]
    assert [due for name, due in runs(tapp) if name == HOURLY] == ["2024-05-03 02:30"]


def test_the_latest_queued_due_time_is_where_the_next_tick_starts(tapp: App) -> None:
    first_seen(tapp).tick(dt.datetime(2024, 5, 1, 2, 6))
    later = Scheduler(tapp)  # another process: it reads where the schedules stand
    later.tick(dt.datetime(2024, 5, 1, 2, 16))
    assert [due[-5:] for name, due in runs(tapp) if name == FIVE] == \
        ["02:00", "02:05", "02:10", "02:15"]


@pytest.fixture
def second_instance(tapp: App) -> Iterator[App]:
    """Another application on the same database (as a second server would be)."""
    url = tapp.engine.url.render_as_string(hide_password=False)
    other = boot(database=url, modules=[TASKTEST], lifecycle="reload",
                 options={"module_online": "never"})
    yield other
    other.close()


def test_two_instances_never_queue_one_due_time_twice(tapp: App,
                                                      second_instance: App) -> None:
    first_seen(tapp)
    schedulers = [Scheduler(tapp), Scheduler(second_instance)] * 2
    moments = [dt.datetime(2024, 5, 1, 2, minute, 1) for minute in range(0, 31, 5)]
    queued: list[int] = []
    start = threading.Barrier(len(schedulers))

    def tick(scheduler: Scheduler) -> None:
        start.wait()
        for moment in moments:
            queued.append(scheduler.tick(moment))

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    expected = [(FIVE, f"2024-05-01 02:{minute:02d}") for minute in range(0, 31, 5)] + \
        [(NIGHTLY, "2024-05-01 02:00"), (HOURLY, "2024-05-01 02:30")]
    assert runs(tapp) == sorted(expected)
    assert sum(queued) == len(expected) == len(tasks(tapp))


def test_a_schedule_must_decorate_a_function_of_one_argument() -> None:
    with pytest.raises(DeclarationError, match="put it above"):
        @schedule("@daily")
        def plain(due: dt.datetime) -> None: ...
    with pytest.raises(DeclarationError, match="takes one argument, the due time"):
        @schedule("@daily")
        @function(namespace="tasktest.Jobs", name="noArguments")
        def no_arguments() -> None: ...
    with pytest.raises(CronError, match="expected 5 fields"):
        schedule("every day")


def test_the_cli_lists_schedules_with_their_next_due_time(tapp: App) -> None:
    first_seen(tapp).tick(dt.datetime(2024, 5, 1, 2, 1))
    listed = cli(tapp, "schedules")
    assert listed.startswith("0\n")
    for expected in (FIVE, "*/5 * * * *", NIGHTLY, "0 2 * * *", HOURLY, "2024-05-01 02:00",
                     "never"):
        assert expected in listed
