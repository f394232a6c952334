"""Indexes of nullable columns keep NULLs first on PostgreSQL (as sorts do everywhere), with
no phantom change on the next boot; an index an older version made is replaced by DIFF
and left alone by EXTEND."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from modelry.boot import App
from tests.boot.helpers import apply_script, backend_of, statements
from tests.sortidx import module as sortidx

Boot = Callable[..., App]
NO_CHANGES = "-- no changes: the database already matches the code"
RANK_INDEX = "ix_sortidx_book_rank"


def index_sql(script: str, name: str) -> str:
    """The CREATE INDEX statement of `name` in `script`."""
    found = [line for line in statements(script) if f"CREATE INDEX {name} " in line]
    assert len(found) == 1, script
    return re.sub(r"[`\"]", "", found[0])


def rank_sorting(url: str, app: App) -> tuple[str, ...]:
    """How the live index on `rank` orders its keys (PostgreSQL reports NULLS FIRST)."""
    with app.engine.connect() as connection:
        index = next(i for i in sa.inspect(connection).get_indexes("sortidx_book")
                     if i["name"] == RANK_INDEX)
    return index.get("column_sorting", {}).get("rank", ())


def test_ddl_prints_nulls_first_for_nullable_columns_on_postgresql(
        booted: Boot, empty_database: str) -> None:
    script = booted([sortidx], "ddl").report.ddl
    nulls_first = backend_of(empty_database) == "postgresql"
    rank = "rank ASC NULLS FIRST" if nulls_first else "rank"
    assert index_sql(script, RANK_INDEX) == f"CREATE INDEX {RANK_INDEX} ON sortidx_book ({rank});"
    assert index_sql(script, "ix_sortidx_book_code") == \
        "CREATE INDEX ix_sortidx_book_code ON sortidx_book (code);"   # NOT NULL: plain


def test_a_second_install_and_ddl_see_no_changes(booted: Boot, empty_database: str) -> None:
    first = booted([sortidx], "install")
    assert RANK_INDEX in " ".join(first.report.schema_steps)
    expected = ("nulls_first",) if backend_of(empty_database) == "postgresql" else ()
    assert rank_sorting(empty_database, first) == expected
    again = booted([sortidx], "install")
    assert again.report.schema_steps == [] and again.report.tables_altered == 0
    assert NO_CHANGES in booted([sortidx], "ddl").report.ddl


def test_an_index_an_older_version_made_is_replaced(booted: Boot, empty_database: str,
                                                    tmp_path: Path) -> None:
    """Before, every index was plain: PostgreSQL's kept NULLs last."""
    app = booted([sortidx], "install")
    with app.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {RANK_INDEX}" + (
            " ON sortidx_book" if app.dialect == "mysql" else ""))
        connection.exec_driver_sql(f"CREATE INDEX {RANK_INDEX} ON sortidx_book (rank)")
    if app.dialect != "postgresql":  # the plain index is already the right one there
        assert booted([sortidx], "install").report.schema_steps == []
        return
    extended = booted([sortidx], "install", build_table="extend")
    assert extended.report.left_out == [f"replace index sortidx_book ({RANK_INDEX})"]
    assert rank_sorting(empty_database, extended) == ()
    script = booted([sortidx], "ddl").report.ddl
    assert [line for line in statements(script) if RANK_INDEX in line] == [
        f"DROP INDEX {RANK_INDEX};",
        f"CREATE INDEX {RANK_INDEX} ON sortidx_book (rank ASC NULLS FIRST);"]
    (tmp_path / "upgrade.sql").write_text(script)        # what a DBA applies
    applied = apply_script(empty_database, tmp_path / "upgrade.sql")
    assert applied.returncode == 0, applied.stderr
    assert rank_sorting(empty_database, extended) == ("nulls_first",)
    with app.engine.begin() as connection:               # the old index again, for DIFF
        connection.exec_driver_sql(f"DROP INDEX {RANK_INDEX}")
        connection.exec_driver_sql(f"CREATE INDEX {RANK_INDEX} ON sortidx_book (rank)")
    replaced = booted([sortidx], "install")
    assert replaced.report.schema_steps == [f"replace index sortidx_book ({RANK_INDEX})"]
    assert rank_sorting(empty_database, replaced) == ("nulls_first",)
    assert NO_CHANGES in booted([sortidx], "ddl").report.ddl
