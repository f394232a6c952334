"""Indexes of nullable columns keep NULLs first on PostgreSQL (as sorts do everywhere), with
no phantom change on the next boot; an index an older version made is replaced by DIFF
and left alone by EXTEND. A nullable `unique=True` column there is a unique index keeping
NULLs first (a constraint's index cannot), replacing the constraint older versions made."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from modelry import Model, Module, fields
from modelry.boot import App, BootRefused
from modelry.core.registry.catalog import forget
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


def applied_ddl(booted: Boot, url: str, tmp_path: Path, name: str) -> list[str]:
    """The DDL script's statements naming `name`, once a DBA applied the script."""
    script = booted([sortidx], "ddl").report.ddl
    (tmp_path / "upgrade.sql").write_text(script)
    applied = apply_script(url, tmp_path / "upgrade.sql")
    assert applied.returncode == 0, applied.stderr
    return [line for line in statements(script) if name in line]


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
    assert applied_ddl(booted, empty_database, tmp_path, RANK_INDEX) == [
        f"DROP INDEX {RANK_INDEX};",
        f"CREATE INDEX {RANK_INDEX} ON sortidx_book (rank ASC NULLS FIRST);"]
    assert rank_sorting(empty_database, extended) == ("nulls_first",)
    with app.engine.begin() as connection:               # the old index again, for DIFF
        connection.exec_driver_sql(f"DROP INDEX {RANK_INDEX}")
        connection.exec_driver_sql(f"CREATE INDEX {RANK_INDEX} ON sortidx_book (rank)")
    replaced = booted([sortidx], "install")
    assert replaced.report.schema_steps == [f"replace index sortidx_book ({RANK_INDEX})"]
    assert rank_sorting(empty_database, replaced) == ("nulls_first",)
    assert NO_CHANGES in booted([sortidx], "ddl").report.ddl


ISBN = "uq_sortidx_book_isbn"


def isbn_unique(url: str, app: App) -> tuple[str, tuple[str, ...]]:
    """How `isbn` is unique in the live database: ("constraint", ()) or ("index", how the
    index orders its keys)."""
    with app.engine.connect() as connection:
        inspector = sa.inspect(connection)
        if any(c["name"] == ISBN for c in inspector.get_unique_constraints("sortidx_book")):
            return "constraint", ()
        index = next(i for i in inspector.get_indexes("sortidx_book") if i["name"] == ISBN)
    assert index["unique"]
    return "index", tuple(index.get("column_sorting", {}).get("isbn", ()))


def test_a_nullable_unique_column_is_a_nulls_first_unique_index_on_postgresql(
        booted: Boot, empty_database: str) -> None:
    script = booted([sortidx], "ddl").report.ddl
    app = booted([sortidx], "install")
    if backend_of(empty_database) != "postgresql":  # NULLs sort first in their indexes
        assert f"CONSTRAINT {ISBN} UNIQUE (isbn)" in re.sub(r"[`\"]", "", script)
        assert isbn_unique(empty_database, app) == ("constraint", ())
        return
    assert index_sql(script.replace("CREATE UNIQUE INDEX", "CREATE INDEX"), ISBN) == \
        f"CREATE INDEX {ISBN} ON sortidx_book (isbn ASC NULLS FIRST);"
    assert isbn_unique(empty_database, app) == ("index", ("nulls_first",))


def test_a_unique_constraint_an_older_version_made_is_replaced(
        booted: Boot, empty_database: str, tmp_path: Path) -> None:
    """Before, a nullable unique column was a constraint: PostgreSQL's kept NULLs last."""
    app = booted([sortidx], "install")
    if app.dialect != "postgresql":
        return  # the constraint is already the right one there (the test above)

    def older() -> None:
        with app.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP INDEX {ISBN}")
            connection.exec_driver_sql(
                f"ALTER TABLE sortidx_book ADD CONSTRAINT {ISBN} UNIQUE (isbn)")

    older()
    extended = booted([sortidx], "install", build_table="extend")
    assert extended.report.left_out == [f"replace index sortidx_book ({ISBN})"]
    assert isbn_unique(empty_database, extended) == ("constraint", ())
    assert applied_ddl(booted, empty_database, tmp_path, ISBN) == [
        f"ALTER TABLE sortidx_book DROP CONSTRAINT {ISBN};",
        f"CREATE UNIQUE INDEX {ISBN} ON sortidx_book (isbn ASC NULLS FIRST);"]
    assert isbn_unique(empty_database, extended) == ("index", ("nulls_first",))
    older()                                              # the constraint again, for DIFF
    replaced = booted([sortidx], "install")
    assert replaced.report.schema_steps == [f"replace index sortidx_book ({ISBN})"]
    assert isbn_unique(empty_database, replaced) == ("index", ("nulls_first",))
    assert NO_CHANGES in booted([sortidx], "ddl").report.ddl


def catalogue(version: str, unique: bool) -> Module:
    """`bt_isbn` at `version`: books whose `isbn` is unique when `unique`."""
    forget("bt_isbn")

    class Book(Model, model="bt_isbn.Book"):
        """A book."""

        isbn = fields.String(size=16, unique=unique)

    return Module("bt_isbn", version=version, depends=["base"])


def test_rows_that_break_a_new_unique_column_are_named_first(booted: Boot) -> None:
    """A nullable column made unique: PostgreSQL's unique index is checked like a constraint."""
    app = booted([catalogue("1.0.0", unique=False)], "install")
    with app.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO bt_isbn_book (isbn) VALUES "
                                   "('A'), ('A'), (NULL), (NULL)")
    upgraded = catalogue("1.1.0", unique=True)
    with pytest.raises(BootRefused) as refused:
        booted([upgraded], "install")
    assert refused.value.reasons == [
        "bt_isbn.Book (isbn): existing rows break the unique constraint the code adds: 2 rows "
        "share isbn='A'; change or remove them, then boot again"]
    with app.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM bt_isbn_book WHERE isbn = 'A' AND id NOT IN "
                                   "(SELECT * FROM (SELECT MIN(id) FROM bt_isbn_book) AS kept)")
    added = "create index" if app.dialect == "postgresql" else "add unique"
    assert booted([upgraded], "install").report.schema_steps == \
        [f"{added} bt_isbn_book (uq_bt_isbn_book_isbn)"]
