"""What a user (or a DBA) can see of a database: its catalog, its rows, the real SQL clients,
and the `modelry` command run in child processes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from modelry.boot.engine import create_engine, normalise_url
from tests.databases import server_database

REPO = Path(__file__).resolve().parents[2]


def backend_of(url: str) -> str:
    """`sqlite`, `postgresql` or `mysql` (MariaDB)."""
    return normalise_url(url).get_backend_name()


def catalog(url: str) -> dict[str, Any]:
    """Tables with their columns (and types), keys, indexes and foreign keys, plus every row
    of modelry's own `base_*` tables and the row count of every table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            dialect = connection.dialect
            tables: dict[str, Any] = {}
            for name in sorted(inspector.get_table_names()):
                tables[name] = {
                    "columns": [(c["name"], c["type"].compile(dialect=dialect), c["nullable"])
                                for c in inspector.get_columns(name)],
                    "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
                    "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                      for i in inspector.get_indexes(name)),
                    "unique": sorted((u["name"], tuple(u["column_names"]))
                                     for u in inspector.get_unique_constraints(name)),
                    "foreign_keys": sorted((f["name"], tuple(f["constrained_columns"]),
                                            f["referred_table"], tuple(f["referred_columns"]))
                                           for f in inspector.get_foreign_keys(name)),
                    "rows": connection.scalar(sa.select(sa.func.count()).select_from(
                        sa.table(name))),
                }
            base_rows = {name: rows(connection, name) for name in tables
                         if name.startswith("base_")}
            return {"tables": tables, "base_rows": base_rows}
    finally:
        engine.dispose()


def rows(connection: sa.Connection, table: str) -> list[tuple[str, ...]]:
    """Every row of `table` as strings, in a stable order."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    result = connection.execute(sa.select(reflected))
    return sorted(tuple(str(value) for value in row) for row in result)


def query(url: str, sql: str, **params: Any) -> list[sa.Row]:
    """Rows of one SQL query on a new connection."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> None:
    """Run one statement by hand (committed)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


def columns(url: str, table: str) -> dict[str, Any]:
    """Reflected columns of `table` by name."""
    engine = create_engine(url)
    try:
        return {c["name"]: c for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def client_command(url: str, script: Path) -> tuple[list[str], Path | None, dict[str, str]]:
    """The real command-line client for `url`'s database: (command, file for its stdin,
    environment) — `psql -f script`, `mysql db < script`, `sqlite3 db < script`."""
    parsed = normalise_url(url)
    environment = dict(os.environ)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return ["sqlite3", "-bail", parsed.database], script, environment
    if backend == "postgresql":
        if parsed.password:
            environment["PGPASSWORD"] = parsed.password
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", parsed.host or "127.0.0.1",
                "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
                "-d", parsed.database, "-f", str(script)], None, environment
    if parsed.password:
        environment["MYSQL_PWD"] = parsed.password
    return ["mysql", "--batch", "-h", parsed.host or "127.0.0.1", "-P", str(parsed.port or 3306),
            "-u", parsed.username or "root", parsed.database], script, environment


def apply_script(url: str, script: Path) -> subprocess.CompletedProcess[str]:
    """Apply a DDL script file the way a DBA does, with the database's own client."""
    command, stdin, environment = client_command(url, script)
    with open(stdin or os.devnull) as source:
        return subprocess.run(command, stdin=source, capture_output=True, text=True,
                              env=environment, timeout=120)


def cli_command(*arguments: str) -> list[str]:
    """`modelry ...` as this interpreter runs it."""
    return [sys.executable, "-m", "modelry.cli", *arguments]


def cli_environment() -> dict[str, str]:
    """The environment for `modelry` child processes: the test modules importable, no
    MODELRY_* settings inherited."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODELRY_")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO),
                                                              os.environ.get("PYTHONPATH")]))
    environment["COLUMNS"] = "200"  # no wrapped messages
    return environment


def start_cli(*arguments: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start `modelry ...` in a child process (stdout and stderr captured)."""
    return subprocess.Popen(cli_command(*arguments), cwd=cwd or REPO, env=cli_environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Wait for a child started by `start_cli` (killed when it overruns `timeout`)."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"modelry did not finish in {timeout}s (deadlock?)\n{stderr}") \
            from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `modelry ...` to the end."""
    return finish(start_cli(*arguments, cwd=cwd))


def statements(script: str) -> list[str]:
    """The lines of a script that are not comments or blank."""
    return [line for line in script.splitlines()
            if line.strip() and not line.lstrip().startswith("--")]


def comparable_rows(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every table's rows as the database stores them (text), in a stable order, without
    the columns that hold times (audit and metadata timestamps differ between two builds
    of one database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            tables = {}
            for name in sorted(sa.inspect(connection).get_table_names()):
                kept = [c["name"] for c in sa.inspect(connection).get_columns(name)
                        if not isinstance(c["type"], sa.DateTime)]
                rows = connection.exec_driver_sql(
                    f"SELECT {', '.join(map(quote, kept))} FROM {quote(name)}")
                tables[name] = sorted(tuple(_comparable(value) for value in row)
                                      for row in rows)
            return tables
    finally:
        engine.dispose()


def _comparable(value: Any) -> str:
    """A stored value as text; JSON documents with their keys sorted (order carries nothing)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


@contextmanager
def sibling_database(url: str, suffix: str) -> Iterator[str]:
    """Another empty database beside `url`'s (same server, or the same folder for SQLite),
    dropped afterwards."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = Path(parsed.database).with_name(f"{Path(parsed.database).stem}_{suffix}.db")
        for stale in path.parent.glob(f"{path.name}*"):
            stale.unlink()
        yield f"sqlite:///{path}"
        for written in path.parent.glob(f"{path.name}*"):
            written.unlink()
        return
    with server_database(url, f"{parsed.database}_{suffix}") as sibling:
        yield sibling
