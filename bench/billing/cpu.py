"""CPU seconds spent per load, which a shared machine's load does not change as it changes
the wall clock: this process's (the clients, and SQLite), and the PostgreSQL server
processes serving this database (read from /proc; None elsewhere, or for MariaDB, whose
one server process serves every database at once)."""
from __future__ import annotations

import os
import time

import sqlalchemy as sa

ANALYZE = "modelry-bench-analyze"   # the application name of connections left out


def client() -> float:
    """CPU seconds of this process so far (all its threads)."""
    return time.process_time()


def server(engine: sa.Engine) -> float | None:
    """CPU seconds of the PostgreSQL backends connected to this database so far, or None."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        pids = list(connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            f"AND application_name <> '{ANALYZE}'").scalars())
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:               # another machine's server, or the backend ended
            return None
        ticks += int(fields[11]) + int(fields[12])      # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")
