"""Task queue speed: tasks enqueued and completed per second on the database queue
(PostgreSQL, 2 `modelry worker` processes pinned to one core each with taskset) and on
Dramatiq/RabbitMQ, and the latency an enqueue adds to a GraphQL request.

    .venv/bin/python bench/tasks/run.py [--tasks 4000] [--threads 4] [--requests 1000]
        [--database postgresql://postgres@127.0.0.1:5432/bench_tasks]
        [--broker amqp://guest:guest@127.0.0.1:5672/]

Completed/s counts from the first task started to the last finished (task rows), so the
workers' boot is not in it. The task body does nothing: the figures are the queue's own
cost. The machine is shared: compare figures from one run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402

from modelry import directives  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.boot.engine import create_engine, normalise_url  # noqa: E402
from modelry.core.graphql.context import GraphQLSettings  # noqa: E402
from modelry.core.graphql.executor import Executor  # noqa: E402
from modelry.core.security.grants import grant_module  # noqa: E402

MODULE = "bench.tasks.benchmodule"


def fresh_database(url: str) -> None:
    """Drop and create the benchmark's database."""
    parsed = normalise_url(url)
    admin = create_engine(parsed.set(database="postgres").render_as_string(
        hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def clear_tasks(app: App) -> None:
    with app.engine.begin() as connection:
        connection.execute(app.data.table(app.registry.model("base.Task")).delete())


def enqueue(app: App, count: int, per_transaction: int) -> float:
    """Seconds to queue `count` noop tasks, `per_transaction` per transaction."""
    from bench.tasks.benchmodule.jobs import noop
    began = time.perf_counter()
    for start in range(0, count, per_transaction):
        with app.transaction():
            for number in range(start, min(count, start + per_transaction)):
                noop(number)
    return time.perf_counter() - began


def start_workers(folder: Path, url: str, queue: str, threads: int) -> list[subprocess.Popen]:
    """Two `modelry worker` processes, each pinned to one core; returns once both run."""
    config = folder / "modelry.yaml"
    config.write_text(yaml.safe_dump({"database": url, "modules": [MODULE], "queue": queue,
                                      "tasks": {"poll_interval": 0.2, "scheduler": False}}))
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = []
    for core in (0, 1):
        process = subprocess.Popen(
            ["taskset", "-c", str(core), sys.executable, "-m", "modelry.cli", "worker",
             "--config", str(config), "--threads", str(threads)],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        processes.append(process)
    for process in processes:
        while "modelry worker" not in (process.stderr.readline() or "modelry worker"):
            pass
    return processes


def wait_done(app: App, count: int, timeout: float = 600.0) -> float:
    """Tasks completed per second (first started to last finished) once all `count` ran."""
    table = app.data.table(app.registry.model("base.Task"))
    deadline = time.monotonic() + timeout
    with app.engine.connect() as connection:
        while True:
            done = connection.scalar(sa.select(sa.func.count()).where(table.c.state == "done"))
            connection.rollback()
            if done >= count:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"only {done} of {count} tasks done after {timeout}s")
            time.sleep(0.2)
        first, last = connection.execute(sa.select(
            sa.func.min(table.c.started_at), sa.func.max(table.c.finished_at))).one()
    return count / (last - first).total_seconds()


def throughput(app: App, url: str, queue: str, count: int, threads: int,
               folder: Path) -> dict[str, float]:
    """Enqueue rates, then completion by two pinned worker processes."""
    clear_tasks(app)
    single = enqueue(app, min(count, 1000), 1)
    clear_tasks(app)
    batched = enqueue(app, count, 100)
    workers = start_workers(folder, url, queue, threads)
    try:
        completed = wait_done(app, count)
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(60)
    return {"enqueued/s, 1 per transaction": min(count, 1000) / single,
            "enqueued/s, 100 per transaction": count / batched,
            "completed/s, 2 processes": completed}


def request_latency(app: App, requests: int) -> dict[str, float]:
    """Median milliseconds of a mutation that queues a task vs one that does not."""
    executor = Executor(app, GraphQLSettings())
    bodies = {name: {"query": f"mutation {{ jobsMutation {{ {name}(number: 1) }} }}"}
              for name in ("inline", "queued")}
    timings: dict[str, list[float]] = {name: [] for name in bodies}
    for round_number in range(requests):
        for name, body in bodies.items():
            began = time.perf_counter()
            response = executor.run(body)
            timings[name].append(time.perf_counter() - began)
            if round_number == 0:
                assert response.body["extensions"]["success"], response.body
    inline, queued = (statistics.median(timings[n]) * 1000 for n in ("inline", "queued"))
    return {"request without enqueue, ms (median)": inline,
            "request with an enqueue, ms (median)": queued,
            "added by the enqueue, ms": queued - inline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/bench_tasks")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--tasks", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=4, help="per worker process")
    parser.add_argument("--requests", type=int, default=1000)
    arguments = parser.parse_args()
    fresh_database(arguments.database)
    boot(database=arguments.database, modules=[MODULE], lifecycle="install").close()
    folder = Path("/tmp/modelry-task-bench")
    folder.mkdir(exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    for label, queue in (("database queue (PostgreSQL)", "database"),
                         ("Dramatiq on RabbitMQ", arguments.broker)):
        app = boot(database=arguments.database, modules=[MODULE], lifecycle="reload")
        app.settings.queue = queue
        app.tasks.settings = type(app.tasks.settings).from_settings(app.settings)
        grant_module(app, "taskbench")
        with directives.scope():
            results[label] = throughput(app, arguments.database, queue, arguments.tasks,
                                        arguments.threads, folder)
            clear_tasks(app)
            results[label].update(request_latency(app, arguments.requests))
        if queue != "database":
            app.tasks.transport().delete_queue()
        app.close()
    print(f"\n{arguments.tasks} no-op tasks, 2 worker processes x {arguments.threads} "
          f"threads (taskset: one core each), {os.cpu_count()} cores")
    for label, figures in results.items():
        print(f"\n{label}")
        for name, value in figures.items():
            print(f"  {name:40} {value:10.2f}")


if __name__ == "__main__":
    main()
