"""core/data/counted.py's rule: a page counts its matches in its own scan only when no
index, key or unique constraint leads with its first sort column."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from modelry.core.data.counted import counts_in_page, scans_every_match

metadata = sa.MetaData()
ITEMS = sa.Table(
    "items", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("code", sa.String(20)),
    sa.Column("shop_id", sa.BigInteger, index=True),
    sa.Column("rank", sa.Integer),
    sa.Column("price", sa.Numeric(20, 4)),
    sa.Column("stock", sa.Integer),
    sa.UniqueConstraint("code"),
    sa.Index("ix_items_rank_price", "rank", "price"),
)
c = ITEMS.c


def test_a_sort_an_index_leads_counts_apart() -> None:
    for order in ([c.id.asc()], [c.id.desc()], [c.code.asc(), c.id.asc()],
                  [c.shop_id.desc().nulls_last(), c.id.desc()],
                  [c.rank.asc(), c.id.asc()]):  # leads a two-column index
        assert not scans_every_match(ITEMS, order), order


def test_a_sort_no_index_leads_counts_in_the_page() -> None:
    for order in ([c.price.desc(), c.id.asc()], [c.stock.asc()],
                  [c.price.asc(), c.rank.asc()]):  # price is second in its index
        assert scans_every_match(ITEMS, order), order


def test_no_order_or_no_column_counts_apart() -> None:
    assert not scans_every_match(ITEMS, [])
    assert not scans_every_match(ITEMS, [sa.literal_column("1")])


DIALECTS = {"mysql": mysql.dialect, "sqlite": sqlite.dialect, "postgresql": postgresql.dialect}


def test_servers_without_window_functions_count_apart() -> None:
    order = [c.price.desc(), c.id.asc()]
    for name, mariadb, version, counts in (
            ("mysql", False, (5, 7, 44), False), ("mysql", False, (8, 0, 36), True),
            ("mysql", True, (10, 1, 48), False), ("mysql", True, (10, 11, 9), True),
            ("sqlite", False, (3, 24, 0), False), ("sqlite", False, (3, 40, 1), True),
            ("postgresql", False, (15, 2), True)):
        dialect = DIALECTS[name]()
        dialect.server_version_info = version
        dialect.is_mariadb = mariadb
        assert counts_in_page(dialect, ITEMS, order) is counts, (name, mariadb, version)
    assert not counts_in_page(dialect, ITEMS, [c.id.asc()])  # an index still walks
