"""The benchmark's data: the demo schema, 1,000 shops, 100,000 items, 50 tags, 100 owners.

Values are functions of the row id, so every run (and every database) holds the same
rows. Inserts go through SQLAlchemy Core executemany, not the data manager: the data
manager is not what the benchmark measures.

    .venv/bin/python bench/graphql/seed.py --database postgresql://postgres@127.0.0.1:5432/bench
"""
from __future__ import annotations

import argparse
import time
from decimal import Decimal

import sqlalchemy as sa

from modelry.boot import BootRefused, boot
from modelry.boot.engine import create_engine, normalise_url
from modelry.core.security.grants import grant_module

OWNERS, SHOPS, ITEMS_PER_SHOP, TAGS = 100, 1_000, 100, 50
ITEMS = SHOPS * ITEMS_PER_SHOP
BATCH = 5_000
MYSQL = ("mysql", "mariadb")


def item_shop(item_id: int) -> int:
    """A shop's items have consecutive ids (1-100 in shop 1, ...).

    Not dealt round-robin on purpose: then PostgreSQL plans PostGraphile's per-shop
    `ORDER BY id LIMIT 5` as a filtered primary-key scan (80 ms for Q3), and the
    benchmark would measure a planner accident instead of the servers.
    """
    return (item_id - 1) // ITEMS_PER_SHOP + 1


def item_price(item_id: int) -> Decimal:
    """0.0000 to 99.9999, distinct per item (7919 is prime to 10^6)."""
    return Decimal(item_id * 7919 % 1_000_000).scaleb(-4)


def item_stock(item_id: int) -> int:
    """0 to 22; M2's Lua script writes this same value back, so the data never drifts."""
    return item_id * 7 % 23


STOCK_LUA = "id * 7 % 23"  # item_stock in Lua, for load.py


def shop_tags(shop_id: int) -> list[int]:
    """Three distinct tags per shop."""
    return [(shop_id - 1 + offset) % TAGS + 1 for offset in (0, 17, 33)]


def ensure_database(url: str) -> None:
    """Create the database named in `url` when it does not exist (PostgreSQL, MariaDB)."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return
    name = parsed.database
    if backend == "postgresql":
        server = parsed.set(database="postgres")
        exists = "SELECT 1 FROM pg_database WHERE datname = :name"
        create = f'CREATE DATABASE "{name}"'
    else:
        server = parsed.set(database="information_schema")
        exists = "SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"
        create = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.execute(sa.text(exists), {"name": name}).first() is None:
                connection.exec_driver_sql(create)
    finally:
        engine.dispose()


def has_rows(url: str) -> bool:
    """True when the demo tables hold the benchmark's shops and items."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = sa.text("SELECT (SELECT count(*) FROM demo_pet_shop), "
                             "(SELECT count(*) FROM demo_pet_item)")
            return tuple(connection.execute(counts).one()) == (SHOPS, ITEMS)
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def drop_everything(url: str) -> None:
    """Drop every table in the database (a copy of the test suite's helper)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name in MYSQL:
                connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            metadata = sa.MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
            if connection.dialect.name in MYSQL:
                connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        engine.dispose()


def _rows() -> dict[str, list[dict]]:
    owners = [{"id": i, "name": f"owner-{i}", "email": f"owner{i}@example.com"}
              for i in range(1, OWNERS + 1)]
    tags = [{"id": i, "name": f"tag-{i}", "color": "blue"} for i in range(1, TAGS + 1)]
    shops = [{"id": i, "name": f"shop-{i}", "code": f"S{i:05d}",
              "income": Decimal(i * 104_729 % 100_000_000).scaleb(-4),
              "owner_id": (i - 1) % OWNERS + 1} for i in range(1, SHOPS + 1)]
    links = [{"pet_shop_id": shop, "pet_tag_id": tag}
             for shop in range(1, SHOPS + 1) for tag in shop_tags(shop)]
    items = [{"id": i, "item_name": f"item-{i}", "price": item_price(i),
              "stock": item_stock(i), "shop_id": item_shop(i)} for i in range(1, ITEMS + 1)]
    return {"demo_pet_owner": owners, "demo_pet_tag": tags, "demo_pet_shop": shops,
            "demo_pet_shop_tags_rel": links, "demo_pet_item": items}


def seed(url: str) -> None:
    """Drop all tables, INSTALL the demo module, bulk-insert the rows, ANALYZE."""
    ensure_database(url)
    drop_everything(url)
    boot(database=url, modules=["demo"], lifecycle="install").close()
    engine = create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.begin() as connection:
            for name in ("demo_pet_shop_tags_rel", "demo_pet_item", "demo_pet_shop",
                         "demo_pet_tag", "demo_pet_owner"):  # the install's sample rows
                connection.execute(metadata.tables[name].delete())
            for name, rows in _rows().items():
                for start in range(0, len(rows), BATCH):
                    connection.execute(metadata.tables[name].insert(), rows[start:start + BATCH])
        analyze(engine)
    finally:
        engine.dispose()


def reset_writes(engine: sa.Engine) -> None:
    """Undo M1 (tags it created) and point the id sequences past the seeded ids."""
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM demo_pet_tag WHERE id > :top"), {"top": TAGS})
        if engine.dialect.name == "postgresql":
            for table, top in (("demo_pet_owner", OWNERS), ("demo_pet_tag", TAGS),
                               ("demo_pet_shop", SHOPS), ("demo_pet_item", ITEMS)):
                connection.execute(sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                                   {"t": table, "v": top})
        elif engine.dialect.name in MYSQL:
            connection.exec_driver_sql(f"ALTER TABLE demo_pet_tag AUTO_INCREMENT = {TAGS + 1}")


def analyze(engine: sa.Engine) -> None:
    """Fresh planner statistics for the demo tables."""
    tables = ["demo_pet_owner", "demo_pet_tag", "demo_pet_shop", "demo_pet_shop_tags_rel",
              "demo_pet_item"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            # VACUUM too: sets hint bits and the visibility map now, not during a timing
            connection.exec_driver_sql("VACUUM ANALYZE " + ", ".join(tables))
        elif engine.dialect.name in MYSQL:
            connection.exec_driver_sql("ANALYZE TABLE " + ", ".join(tables))
        else:
            connection.exec_driver_sql("ANALYZE")


def prepare(url: str, force: bool = False) -> bool:
    """Seed unless seeded, grant the demo to anonymous callers, undo earlier runs' writes.

    Returns True when it seeded. A database installed by older code (models added
    since) is seeded again: RELOAD, which modelry serves with, refuses it.
    """
    ensure_database(url)
    seeded = force or not has_rows(url)
    if seeded:
        seed(url)
    try:
        app = boot(database=url, modules=["demo"], lifecycle="reload")
    except BootRefused as refusal:
        if seeded:
            raise
        print(f"the seeded schema is out of date, seeding again: {str(refusal)[:200]}")
        seed(url)
        seeded, app = True, boot(database=url, modules=["demo"], lifecycle="reload")
    try:
        # The benchmark's clients are anonymous, as PostGraphile's: give them the demo
        # (the grant `modelry serve --demo` makes); rights are still checked per request.
        grant_module(app, "demo")
        reset_writes(app.engine)
    finally:
        app.close()
    return seeded


def main() -> None:
    """Seed the database named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="database URL")
    parser.add_argument("--force", action="store_true", help="reseed even when seeded")
    arguments = parser.parse_args()
    started = time.perf_counter()
    seeded = prepare(arguments.database, force=arguments.force)
    verb = "seeded" if seeded else "already seeded"
    print(f"{arguments.database}: {verb} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
