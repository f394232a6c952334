"""The hand-written endpoint's SQL: SQLAlchemy Core, one statement per relation level.

Built once at import; SQLAlchemy caches their compiled form, and psycopg prepares them
on the server after a few executions. Lightweight `table()` objects carry no types, so
rows come back exactly as the driver decodes them (Decimal for money) with no result
processing.
"""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

owner = sa.table("demo_pet_owner", sa.column("id"), sa.column("name"))
shop = sa.table("demo_pet_shop", sa.column("id"), sa.column("name"), sa.column("income"),
                sa.column("owner_id"))
item = sa.table("demo_pet_item", sa.column("id"), sa.column("item_name"), sa.column("price"),
                sa.column("stock"), sa.column("shop_id"), sa.column("write_date"),
                sa.column("write_uid"))
tag = sa.table("demo_pet_tag", sa.column("id"), sa.column("name"), sa.column("create_date"),
               sa.column("write_date"), sa.column("create_uid"), sa.column("write_uid"))
shop_tags = sa.table("demo_pet_shop_tags_rel", sa.column("pet_shop_id"),
                     sa.column("pet_tag_id"))

_shop_with_owner = (
    sa.select(shop.c.id, shop.c.name, shop.c.income, owner.c.id.label("owner_id"),
              owner.c.name.label("owner_name"))
    .select_from(shop.outerjoin(owner, owner.c.id == shop.c.owner_id)))

# Q1: a shop and its owner.
SHOP_BY_ID = _shop_with_owner.where(shop.c.id == sa.bindparam("id"))

# Q2 and Q3 sort by id, or descending by `sort` (queries.py): a foreign key, then id.
SORT_COLUMNS = {"Q2": {"id": item.c.id, "shop": item.c.shop_id},
                "Q3": {"id": shop.c.id, "owner": shop.c.owner_id}}


def _order(query: str, sort: str | None, postgres: bool) -> list[Any]:
    """modelry's order: NULL is the smallest value, so last descending. MariaDB sorts so
    natively; PostgreSQL is told, and its NULLS FIRST index on the key is walked backward."""
    key_id = shop.c.id if query == "Q3" else item.c.id
    if sort is None:
        return [key_id]
    if sort == "id":
        return [key_id.desc()]
    key = SORT_COLUMNS[query][sort].desc()
    return [key.nulls_last() if postgres else key, key_id.desc()]


@functools.cache
def item_page(sort: str | None, postgres: bool) -> sa.Select:
    """Q2: a page of items with their shops (one statement object per sort and dialect)."""
    return (sa.select(item.c.id, item.c.item_name, item.c.price, item.c.stock,
                      shop.c.id.label("shop_id"), shop.c.name.label("shop_name"))
            .select_from(item.outerjoin(shop, shop.c.id == item.c.shop_id))
            .order_by(*_order("Q2", sort, postgres))
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


@functools.cache
def shop_page(sort: str | None, postgres: bool) -> sa.Select:
    """Q3: a page of shops with owners; then the first items of each; then their tags."""
    return (_shop_with_owner.order_by(*_order("Q3", sort, postgres))
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


_ranked = (  # portable: rank each shop's items, keep the first few
    sa.select(item.c.shop_id, item.c.id, item.c.item_name, item.c.price,
              sa.func.row_number().over(partition_by=item.c.shop_id, order_by=item.c.id)
              .label("rank"))
    .where(item.c.shop_id.in_(sa.bindparam("shop_ids", expanding=True)))
    .subquery("ranked"))
FIRST_ITEMS_IN = (sa.select(_ranked.c.shop_id, _ranked.c.id, _ranked.c.item_name, _ranked.c.price)
               .where(_ranked.c.rank <= sa.bindparam("per_shop"))
               .order_by(_ranked.c.shop_id, _ranked.c.id))
SHOP_TAGS_IN = (
    sa.select(shop_tags.c.pet_shop_id, tag.c.id, tag.c.name)
    .select_from(shop_tags.join(tag, tag.c.id == shop_tags.c.pet_tag_id))
    .where(shop_tags.c.pet_shop_id.in_(sa.bindparam("shop_ids", expanding=True)))
    .order_by(shop_tags.c.pet_shop_id, tag.c.id))

# Q3 on PostgreSQL: an array parameter (one prepared statement whatever the page
# size) and a LATERAL top-5 per shop, which reads the shop_id index and stops early.
_ids = sa.func.unnest(sa.bindparam("shop_ids", type_=postgresql.ARRAY(sa.BigInteger()))
                      ).table_valued("id").render_derived(name="page")
_first = (sa.select(item.c.id, item.c.item_name, item.c.price)
          .where(item.c.shop_id == _ids.c.id).order_by(item.c.id)
          .limit(sa.bindparam("per_shop")).lateral("first"))
FIRST_ITEMS_ARRAY = (sa.select(_ids.c.id, _first.c.id, _first.c.item_name, _first.c.price)
                     .select_from(_ids.join(_first, sa.true()))
                     .order_by(_ids.c.id, _first.c.id))
SHOP_TAGS_ARRAY = (
    sa.select(shop_tags.c.pet_shop_id, tag.c.id, tag.c.name)
    .select_from(shop_tags.join(tag, tag.c.id == shop_tags.c.pet_tag_id))
    .where(shop_tags.c.pet_shop_id == sa.any_(
        sa.bindparam("shop_ids", type_=postgresql.ARRAY(sa.BigInteger()))))
    .order_by(shop_tags.c.pet_shop_id, tag.c.id))

# Q4: a filtered, sorted page of items, and the filter's total.
_cheap_stock = sa.and_(item.c.price > sa.bindparam("min_price", type_=sa.Numeric(20, 4)),
                       item.c.stock < sa.bindparam("max_stock"))
FILTERED_ITEMS = (sa.select(item.c.id, item.c.item_name, item.c.price).where(_cheap_stock)
                  .order_by(item.c.price.desc(), item.c.id)
                  .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
FILTERED_COUNT = sa.select(sa.func.count()).select_from(item).where(_cheap_stock)

# Writes keep the audit columns as modelry does (when, and by whom: NULL for anonymous
# callers), so both write the same: on MariaDB an UPDATE that only sets a column to the
# value it holds (M2 writes the seeded stock back) changes no row and commits nothing.
# M1: create a tag; PostgreSQL returns the id, MariaDB reports it as lastrowid.
CREATE_TAG = sa.insert(tag).values(
    name=sa.bindparam("name"), create_date=sa.bindparam("now"),
    write_date=sa.bindparam("now"), create_uid=sa.bindparam("user"),
    write_uid=sa.bindparam("user"))
CREATE_TAG_RETURNING = CREATE_TAG.returning(tag.c.id)

# M2: set an item's stock.
UPDATE_STOCK = (sa.update(item).where(item.c.id == sa.bindparam("item_id"))
                .values(stock=sa.bindparam("new_stock"), write_date=sa.bindparam("now"),
                        write_uid=sa.bindparam("user")))

# A bearer token, checked as a real app would on every request: its hash is looked up
# with its user in one statement (modelry's own token table, so the tokens are alike).
_token = sa.table("base_auth_token", sa.column("user_id"), sa.column("token_hash"),
                  sa.column("expires_at"), sa.column("revoked"))
_user = sa.table("base_user", sa.column("id"), sa.column("active"))
TOKEN_USER = (sa.select(_token.c.user_id)
              .select_from(_token.join(_user, _user.c.id == _token.c.user_id))
              .where(_token.c.token_hash == sa.bindparam("token_hash"),
                     _token.c.expires_at > sa.bindparam("now"),
                     sa.not_(_token.c.revoked), _user.c.active))
