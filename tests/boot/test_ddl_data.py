"""DDL prints the module data files' rows too: the script a DBA applies with the database's
own client writes the same records and install-registry rows INSTALL writes (refs across
records and modules, to-many links, every scalar kind), a data upgrade prints its UPDATEs,
a deleted record is re-created, and a second DDL has nothing left to print."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelry import Module
from modelry.boot import boot
from tests.boot.helpers import (
    apply_script, comparable_rows, execute, query, sibling_database, statements)

SHELF, LIBRARY = "tests.data_modules.shelf", "tests.data_modules.library"
SHELF_V2 = ["data/v2/shelf.Genre.csv", "data/v2/authors.yaml", "data/v2/books.yaml",
            "data/more_books.csv"]
NO_CHANGES = "-- no changes: the database already matches the code"


def shelf(data: list[str] | None = None) -> Module:
    """The shelf test module, with other data files when `data` is given."""
    from tests.data_modules.shelf import module
    if data is None:
        return module
    return Module("shelf", version=module.version, depends=module.depends, data=data,
                  package=module.package)


def ddl(url: str, modules: list[Any], **options: Any) -> str:
    """The DDL script for `modules` on `url`."""
    with boot(database=url, modules=modules, lifecycle="ddl", options=options) as app:
        return app.report.ddl


def dba_applies(url: str, script: str, tmp_path: Path) -> None:
    """Apply `script` with psql / mysql / sqlite3, stopping on the first error."""
    path = tmp_path / "modelry-ddl.sql"
    path.write_text(script)
    applied = apply_script(url, path)
    assert applied.returncode == 0, applied.stderr
    assert "ERROR" not in applied.stderr.upper(), applied.stderr


def install(url: str, modules: list[Any]) -> None:
    boot(database=url, modules=modules, lifecycle="install").close()


@pytest.fixture
def installed_twin(empty_database: str) -> Iterator[str]:
    """A second empty database, built by INSTALL in the tests to compare with."""
    with sibling_database(empty_database, "installed") as url:
        yield url


def test_ddl_data_equals_install_through_upgrades(empty_database: str, installed_twin: str,
                                                  tmp_path: Path) -> None:
    dba, installed = empty_database, installed_twin
    modules: list[Any] = [shelf(), LIBRARY]

    script = ddl(dba, modules)
    live = "\n".join(statements(script))
    assert "-- data of module shelf: 10 new, 0 updated" in script
    assert "-- data of module library: 4 new, 0 updated" in script
    assert "-- shelf.book_dune (shelf.Book): create, data/books.yaml line 1" in script
    # the database gives the ids: no INSERT names one
    assert "INSERT INTO shelf_book (id" not in live
    assert "INSERT INTO base_model_data (id" not in live
    assert script.index("-- data of module shelf") < script.index("-- data of module library") \
        < script.index("\n-- schema fingerprint\n")
    dba_applies(dba, script, tmp_path)
    install(installed, modules)
    assert comparable_rows(dba) == comparable_rows(installed)
    assert NO_CHANGES in ddl(dba, modules)

    # a data upgrade: changed values, new records, a new no-update flag, changed links
    upgraded: list[Any] = [shelf(SHELF_V2), LIBRARY]
    script = ddl(dba, upgraded)
    assert "-- data of module shelf: 2 new, 4 updated, 6 unchanged or no-update" in script
    assert "UPDATE shelf_book SET title='Dune (anniversary edition)'" in script
    assert "UPDATE base_model_data SET noupdate=" in script
    dba_applies(dba, script, tmp_path)
    install(installed, upgraded)
    assert comparable_rows(dba) == comparable_rows(installed)
    assert NO_CHANGES in ddl(dba, upgraded)

    # a deleted record comes back, and the registry row points at the new one
    for url in (dba, installed):
        execute(url, "DELETE FROM shelf_genre WHERE name = 'Horror'")
    script = ddl(dba, upgraded)
    assert "-- shelf.genre_horror (shelf.Genre): recreate" in script
    dba_applies(dba, script, tmp_path)
    install(installed, upgraded)
    assert comparable_rows(dba) == comparable_rows(installed)
    horror = query(dba, "SELECT g.id FROM shelf_genre g JOIN base_model_data d ON "
                        "d.res_id = g.id WHERE d.external_id = 'genre_horror'")
    assert len(horror) == 1
    assert NO_CHANGES in ddl(dba, upgraded)


def test_records_created_after_the_script_get_new_ids(empty_database: str,
                                                      installed_twin: str,
                                                      tmp_path: Path) -> None:
    from tests.data_modules.shelf.models import Genre
    dba_applies(empty_database, ddl(empty_database, [shelf()]), tmp_path)
    install(installed_twin, [shelf()])
    ids = []
    for url in (empty_database, installed_twin):
        with boot(database=url, modules=[shelf()], lifecycle="reload") as app:
            with app.transaction():
                ids.append(Genre(name="Poetry").create().id)
    assert ids[0] == ids[1] == 4  # after the three genres of the data files


def test_no_init_data_leaves_the_rows_out(empty_database: str) -> None:
    script = ddl(empty_database, [shelf()], init_data=False)
    assert "-- data of module" not in script and "INSERT INTO shelf_book" not in script
    assert "INSERT INTO base_schema_state" in script


def test_the_script_ends_with_one_newline(empty_database: str, tmp_path: Path) -> None:
    first = tmp_path / "first.sql"
    with boot(database=empty_database, modules=[shelf()], lifecycle="ddl",
              options={"output": str(first)}):
        pass
    assert first.read_text().endswith(";\n") and not first.read_text().endswith("\n\n")
    dba_applies(empty_database, first.read_text(), tmp_path)
    second = tmp_path / "second.sql"
    with boot(database=empty_database, modules=[shelf()], lifecycle="ddl",
              options={"output": str(second)}) as again:
        assert again.report.summary().startswith(
            "DDL: no changes: the database already matches the code")
    assert second.read_text().endswith(f"{NO_CHANGES}\n")
