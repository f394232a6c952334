"""Four instances booting INSTALL at once on one database: all succeed, and the schema and
metadata are installed exactly once."""
from __future__ import annotations

import time

import sqlalchemy as sa

from modelry.boot.engine import create_engine
from tests.boot.helpers import finish, query, start_cli

MODULE = "tests.boot.shop_v1"
INSTANCES = 4
SHOP_TABLES = {"boot_shop_shop", "boot_shop_owner", "boot_shop_tag", "boot_shop_shop_tags_rel"}
SHOP_FIELDS = {"id", "name", "note", "owner", "tags", "create_date", "write_date", "create_uid",
               "write_uid"}


def boot_together(url: str) -> list[str]:
    """Start INSTALL in four processes at once; the stderr of each, once all exited 0."""
    started = time.monotonic()
    processes = [start_cli("boot", "--lifecycle", "install", "--lock-timeout", "90",
                           "--database", url, "--module", MODULE) for _ in range(INSTANCES)]
    results = [finish(process, timeout=150) for process in processes]
    for result in results:
        assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 150
    return [" ".join(result.stderr.split()) for result in results]


def assert_installed_once(url: str) -> None:
    """Each table, module, model, field and the schema state exactly once."""
    engine = create_engine(url)
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert len(tables) == len(set(tables))
    assert SHOP_TABLES <= set(tables)
    assert not [t for t in tables if t.startswith("_alembic_tmp")]

    modules = query(url, "SELECT module, COUNT(*) FROM base_module_definition GROUP BY module")
    assert {row[0]: row[1] for row in modules} == {"base": 1, "boot_shop": 1}
    assert query(url, "SELECT COUNT(*) FROM base_schema_state")[0][0] == 1
    models = query(url, "SELECT model, COUNT(*) FROM base_model_definition GROUP BY model")
    assert {row[0] for row in models} >= {"boot_shop.Shop", "boot_shop.Owner", "boot_shop.Tag"}
    assert all(row[1] == 1 for row in models)
    fields = query(url, "SELECT model, field, COUNT(*) FROM base_model_field "
                        "GROUP BY model, field")
    assert all(row[2] == 1 for row in fields), [tuple(r) for r in fields if r[2] != 1]
    assert {row[1] for row in fields if row[0] == "boot_shop.Shop"} == SHOP_FIELDS


def test_four_instances_install_at_once(empty_database: str) -> None:
    summaries = boot_together(empty_database)
    installers = [s for s in summaries if "INSTALL: modules installed 2," in s]
    assert len(installers) == 1, summaries
    others = [s for s in summaries if s not in installers]
    assert all("modules installed 0," in s and "tables created 0, altered 0" in s
               for s in others), summaries
    assert_installed_once(empty_database)

    # Four more on the installed database: all succeed, nothing is created twice.
    summaries = boot_together(empty_database)
    assert all("modules installed 0," in s and "tables created 0, altered 0" in s
               for s in summaries), summaries
    assert_installed_once(empty_database)
