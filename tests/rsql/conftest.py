"""RSQL fixtures: the `rsqltest` registry, and each test database holding its rows.

`rsql_engine` runs once per database listed in MODELRY_TEST_DATABASES (SQLite always
when unset). Each gets a private database (PostgreSQL, MariaDB) or file (SQLite),
created for the session and dropped after it, so concurrent runs never collide.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry.boot.engine import create_engine, normalise_url
from modelry.core.registry import ModelMeta, Registry, build_registry
from modelry.core.rsql import MetadataSchemaView, compile_filter
from modelry.core.schema import build_metadata

from . import data
from .models import module

_URLS = [url.strip() for url in os.environ.get("MODELRY_TEST_DATABASES", "sqlite").split(",")
         if url.strip()]
DATABASES = {("sqlite" if url == "sqlite" else normalise_url(url).get_backend_name()): url
             for url in _URLS}


@pytest.fixture(scope="session")
def rsql_registry() -> Registry:
    """The registry of the `rsqltest` module alone."""
    return build_registry([module])


@pytest.fixture(scope="session")
def rsql_metadata(rsql_registry: Registry) -> sa.MetaData:
    """Tables of the `rsqltest` module."""
    return build_metadata(rsql_registry)


@pytest.fixture(scope="session")
def rsql_schema(rsql_registry: Registry, rsql_metadata: sa.MetaData) -> MetadataSchemaView:
    """The SchemaView the compiler reads."""
    return MetadataSchemaView(rsql_registry, rsql_metadata)


@pytest.fixture(scope="session")
def shop_meta(rsql_registry: Registry) -> ModelMeta:
    """rsqltest.Shop."""
    return rsql_registry.model("rsqltest.Shop")


@pytest.fixture(scope="session", params=sorted(DATABASES))
def rsql_engine(request: pytest.FixtureRequest, rsql_metadata: sa.MetaData,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """An engine on a private database of each backend, tables created and rows inserted."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('rsql') / 'rsql.db'}"
        engine = create_engine(url)
        _fill(engine, rsql_metadata)
        yield engine
        engine.dispose()
        return
    base = normalise_url(DATABASES[backend])
    name = f"rsqltest_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    quoted = f'"{name}"' if backend == "postgresql" else f"`{name}`"
    admin = create_engine(base.render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
        connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    engine = create_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        _fill(engine, rsql_metadata)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
        admin.dispose()


def _fill(engine: sa.Engine, metadata: sa.MetaData) -> None:
    metadata.create_all(engine)
    tables = metadata.tables
    with engine.begin() as connection:
        for name, rows in (("rsqltest_city", data.CITIES), ("rsqltest_owner", data.OWNERS),
                           ("rsqltest_tag", data.TAGS), ("rsqltest_shop", data.SHOPS),
                           ("rsqltest_item", data.ITEMS)):
            for row in rows:  # one by one: each row leaves out its own NULL columns
                connection.execute(tables[name].insert().values(**row))
        connection.execute(tables["rsqltest_shop_tags_rel"].insert(),
                           [{"shop_id": s, "tag_id": t} for s, t in data.SHOP_TAGS])
        connection.execute(tables["rsqltest_item_labels_rel"].insert(),
                           [{"item_id": i, "tag_id": t} for i, t in data.ITEM_LABELS])


@pytest.fixture
def ids(rsql_engine: sa.Engine, rsql_schema: MetadataSchemaView,
        rsql_registry: Registry) -> Callable[..., list[int]]:
    """`ids("name==x")` → sorted ids of the Shops (or `model=`) the filter selects."""
    def select_ids(rsql: str, model: str = "rsqltest.Shop",
                   placeholders: dict[str, Any] | None = None) -> list[int]:
        meta = rsql_registry.model(model)
        table = rsql_schema.table(meta)
        where = compile_filter(rsql, meta, rsql_schema, placeholders)
        with rsql_engine.connect() as connection:
            return list(connection.scalars(sa.select(table.c.id).where(where)
                                           .order_by(table.c.id)))
    return select_ids
