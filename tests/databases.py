"""A private database on a test server: created empty (on PostgreSQL its commits do not wait
for the disk), dropped afterwards (its sessions ended first on PostgreSQL)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from modelry.boot.engine import create_engine, normalise_url


@contextlib.contextmanager
def server_database(url: str, name: str) -> Iterator[str]:
    """The URL of database `name`, created empty on `url`'s PostgreSQL or MariaDB server
    (dropped first if a crashed run left it), dropped when the block ends."""
    base = normalise_url(url)
    backend = base.get_backend_name()
    quoted = f'"{name}"' if backend == "postgresql" else f"`{name}`"
    admin = create_engine(base.render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
            connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
            if backend == "postgresql":
                # a commit does not wait for the WAL to reach the disk (a crash of the
                # server is no concern here): visibility and locking are unchanged
                connection.exec_driver_sql(
                    f"ALTER DATABASE {quoted} SET synchronous_commit = off")
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
        admin.dispose()
