"""A `modelry worker` process killed with SIGKILL in the middle of a task: its lease runs
out, another worker runs the task again (at-least-once), and the effect — keyed in the
database — happens exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelry import TaskState
from modelry.boot import App
from tests.tasks.conftest import FAST, TASKTEST
from tests.tasks.helpers import effects, tasks, wait_until
from tests.tasks.taskmodule import jobs

ROOT = Path(__file__).resolve().parents[2]


def start_worker_process(app: App, folder: Path, queue: str = "database"
                         ) -> subprocess.Popen:
    """`modelry worker` on the test database (and `queue`), in a process of its own, whose
    tasks signal in `folder` on their first attempt and then block."""
    config = folder / "modelry.yaml"
    config.write_text(yaml.safe_dump({
        "database": app.engine.url.render_as_string(hide_password=False),
        "modules": [TASKTEST], "tasks": FAST, "queue": queue}))
    environment = {**os.environ, jobs.BLOCK_VARIABLE: str(folder),
                   "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "modelry.cli", "-q", "worker", "--config", str(config),
         "--threads", "1"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("function", [jobs.deliver, jobs.deliver_atomic],
                         ids=["committed-at-once", "committed-with-the-task"])
def test_a_task_of_a_killed_worker_runs_again_and_its_effect_happens_once(
        tapp: App, tmp_path: Path, function: object) -> None:
    with tapp.transaction():
        function("parcel")  # type: ignore[operator]
    process = start_worker_process(tapp, tmp_path)
    try:
        wait_until(lambda: (tmp_path / "parcel").exists() or process.poll() is not None,
                   timeout=60, what="the worker process to start the task")
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        (task,) = tasks(tapp)
        assert task.state is TaskState.RUNNING and f":{process.pid}:" in task.locked_by
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    atomic = function is jobs.deliver_atomic
    assert effects(tapp) == ({} if atomic else {"parcel": "delivered"})  # rolled back / kept
    worker = tapp.tasks.worker().start()
    wait_until(lambda: tasks(tapp)[0].state is TaskState.DONE, what="the task to be re-run")
    worker.stop()
    (task,) = tasks(tapp)
    assert task.attempts == 2 and task.last_error.startswith("TASK_LEASE_EXPIRED")
    assert effects(tapp) == {"parcel": "delivered"}
