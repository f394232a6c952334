"""A stand-in for PostgreSQL's autovacuum, which this machine's server has switched off
(`SHOW autovacuum` answers `off`).

Without it the tables' statistics stay those of the empty tables the run began with, and
a prepared statement's cached generic plan is never re-planned: after its fifth call
psycopg prepares the key lookup, PostgreSQL plans it once for a nearly empty table (a
sequential scan), and keeps that plan while the table grows to hundreds of thousands of
rows, where it costs tens of milliseconds instead of a tenth of one. A production server
runs autovacuum, whose ANALYZE invalidates such plans; this thread does what it would:
ANALYZE the tables that grow, every few seconds.
"""
from __future__ import annotations

import threading

import sqlalchemy as sa

EVERY = 2.0  # seconds between two ANALYZE, as an eager autovacuum would


class AutoAnalyze:
    """ANALYZE `tables` every EVERY seconds while running (PostgreSQL, autovacuum off)."""

    def __init__(self, engine: sa.Engine, tables: list[str]) -> None:
        self.engine = engine
        self.tables = tables
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> AutoAnalyze:
        if self.engine.dialect.name == "postgresql" and not self._autovacuum():
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()

    @property
    def running(self) -> bool:
        return self.thread is not None

    def _autovacuum(self) -> bool:
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SHOW autovacuum").scalar() == "on"

    def _run(self) -> None:
        while not self.stopping.wait(EVERY):
            with self.engine.connect() as connection:
                connection.exec_driver_sql(f"ANALYZE {', '.join(self.tables)}")
                connection.commit()
