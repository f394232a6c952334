"""The hand-written reference: Starlette + SQLAlchemy Core + orjson, answering modelry's JSON.

    .venv/bin/python bench/graphql/baseline.py --database URL [--port 8078]

`POST /graphql` takes `{"q": "Q1", ...}` (bodies in queries.py) instead of parsing
GraphQL, and answers byte for byte what modelry answers for the matching document:
ids as strings, money as the database's decimal text, the `{data, extensions}`
envelope. Writes set the audit columns modelry sets (sql.py). Each request is one
transaction with at most one statement per relation level; `X-SQL-Statements` tells how
many ran. `Authorization: Bearer <token>` takes a token of modelry's login
(base_auth_token), checked with one more statement per request; a bad token is answered
401. `GET /health` answers "ok".
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import math
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sql
from modelry.boot.engine import create_engine

EXTENSIONS = {"success": True, "messages": []}
# Results are read with .all() (one fetchall), not iterated: iterating a SQLAlchemy
# result fetches row by row, which costs more than the rest of the request.
Handler = Callable[[sa.Connection, dict, "int | None"], dict]  # (…, body, signed-in user)


def _utc_now() -> dt.datetime:
    """Now as naive UTC, as modelry stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _text(value: Any) -> str | None:
    """Ids and money travel as strings; Decimal keeps the column's scale ("12.3400")."""
    if isinstance(value, float):  # SQLite keeps NUMERIC as REAL: show money's 4 places
        return f"{value:.4f}"
    return None if value is None else str(value)


def _postgres(connection: sa.Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _page(body: dict) -> dict:
    size = int(body["size"])
    return {"limit": size, "offset": (int(body["currentPage"]) - 1) * size}


def _shop(row: sa.Row) -> dict:
    shop_id, name, income, owner_id, owner_name = row
    owner = None if owner_id is None else {"id": str(owner_id), "name": owner_name}
    return {"id": str(shop_id), "name": name, "income": _text(income), "owner": owner}


def fetch_shop(connection: sa.Connection, body: dict, _user: int | None) -> dict:
    """Q1: one shop by id, with its owner."""
    row = connection.execute(sql.SHOP_BY_ID, {"id": int(body["id"])}).first()
    return {"petShopQuery": {"queryOne": None if row is None else _shop(row)}}


def item_page(connection: sa.Connection, body: dict, _user: int | None) -> dict:
    """Q2: a page of items with their shops."""
    content = [
        {"id": str(item_id), "itemName": name, "price": _text(price), "stock": stock,
         "shop": None if shop_id is None else {"id": str(shop_id), "name": shop_name}}
        for item_id, name, price, stock, shop_id, shop_name
        in connection.execute(sql.item_page(body.get("sort"), _postgres(connection)),
                              _page(body)).all()]
    return {"petItemQuery": {"queryPage": {"content": content}}}


def shop_page(connection: sa.Connection, body: dict, _user: int | None) -> dict:
    """Q3: a page of shops with owner, first items and tags: three statements."""
    page = sql.shop_page(body.get("sort"), _postgres(connection))
    content = [_shop(row) for row in connection.execute(page, _page(body)).all()]
    by_id = {}
    for shop in content:
        shop["items"], shop["tags"] = [], []
        by_id[int(shop["id"])] = shop
    if by_id:
        ids = list(by_id)
        if _postgres(connection):
            first_items, shop_tags = sql.FIRST_ITEMS_ARRAY, sql.SHOP_TAGS_ARRAY
        else:
            first_items, shop_tags = sql.FIRST_ITEMS_IN, sql.SHOP_TAGS_IN
        first = {"shop_ids": ids, "per_shop": int(body["items"])}
        for shop_id, item_id, name, price in connection.execute(first_items, first).all():
            by_id[shop_id]["items"].append(
                {"id": str(item_id), "itemName": name, "price": _text(price)})
        for shop_id, tag_id, name in connection.execute(shop_tags, {"shop_ids": ids}).all():
            by_id[shop_id]["tags"].append({"id": str(tag_id), "name": name})
    return {"petShopQuery": {"queryPage": {"content": content}}}


def filtered_items(connection: sa.Connection, body: dict, _user: int | None) -> dict:
    """Q4: a filtered page sorted by price (ties by id), with the filter's totals."""
    filters = {"min_price": Decimal(body["minPrice"]), "max_stock": int(body["maxStock"])}
    page = _page(body)
    content = [{"id": str(item_id), "itemName": name, "price": _text(price)}
               for item_id, name, price
               in connection.execute(sql.FILTERED_ITEMS, {**filters, **page}).all()]
    total = connection.execute(sql.FILTERED_COUNT, filters).scalar_one()
    return {"petItemQuery": {"queryPage": {
        "totalElements": total, "totalPages": math.ceil(total / page["limit"]),
        "content": content}}}


def create_tag(connection: sa.Connection, body: dict, user: int | None) -> dict:
    """M1: insert a tag, one statement."""
    name = body["name"]
    values = {"name": name, "now": _utc_now(), "user": user}
    if connection.dialect.insert_returning:
        tag_id = connection.execute(sql.CREATE_TAG_RETURNING, values).scalar_one()
    else:
        tag_id = connection.execute(sql.CREATE_TAG, values).lastrowid
    return {"petTagMutation": {"create": {"id": str(tag_id), "name": name}}}


def update_stock(connection: sa.Connection, body: dict, user: int | None) -> dict:
    """M2: set one item's stock, one statement."""
    item_id, stock = int(body["id"]), int(body["stock"])
    if connection.execute(sql.UPDATE_STOCK, {"item_id": item_id, "new_stock": stock,
                                             "now": _utc_now(), "user": user}
                          ).rowcount != 1:
        raise LookupError(f"demo.PetItem {item_id} does not exist")
    return {"petItemMutation": {"update": {"id": str(item_id), "stock": stock}}}


class Unauthenticated(Exception):
    """The bearer token is malformed, unknown, expired or revoked, or its user inactive."""


def signed_in(connection: sa.Connection, authorization: str | None) -> int | None:
    """The user a request's bearer token signs in, None when it carries no token.

    One statement per request: the token's hash and its user, as a real app checks it.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must read 'Bearer <token>'")
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    user_id = connection.execute(sql.TOKEN_USER, {"token_hash": digest, "now": _utc_now()}
                                 ).scalar()
    if user_id is None:
        raise Unauthenticated("the bearer token is invalid, expired or revoked")
    return int(user_id)


HANDLERS: dict[str, Handler] = {
    "Q1": fetch_shop, "Q2": item_page, "Q3": shop_page, "Q4": filtered_items,
    "M1": create_tag, "M2": update_stock}


def create_app(database: str) -> Starlette:
    """The Starlette app serving HANDLERS over one engine."""
    # modelry's engine settings (drivers, MariaDB READ COMMITTED, SQLite threads), but
    # no pre-ping: it would cost a round trip per request.
    engine = create_engine(database, pool_size=16, max_overflow=0, pool_pre_ping=False)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(connection: sa.Connection, *_: Any) -> None:
        # .get: SQLite's BEGIN runs before `run` resets the count (it is not counted)
        connection.info["statements"] = connection.info.get("statements", 0) + 1

    def run(body: dict, authorization: str | None) -> tuple[dict, int]:
        with engine.begin() as connection:
            connection.info["statements"] = 0
            user = signed_in(connection, authorization)
            data = HANDLERS[body["q"]](connection, body, user)
            return data, connection.info["statements"]

    async def graphql(request: Request) -> Response:
        # Sync SQLAlchemy in the thread pool, as a plain `def` endpoint would run: while
        # one request waits on the database, others run. Blocking the event loop instead
        # serialises the database work (measured: slower on Q2-Q4 and M2, by 3x on Q4).
        try:
            data, statements = await run_in_threadpool(
                run, orjson.loads(await request.body()), request.headers.get("authorization"))
        except Unauthenticated as error:
            return Response(orjson.dumps({"data": None, "errors": [{"message": str(error)}]}),
                            401, media_type="application/json")
        except Exception as error:  # noqa: BLE001 - the client gets the message
            error_body = {"data": None, "errors": [{"message": repr(error)}],
                          "extensions": {"success": False, "messages": []}}
            return Response(orjson.dumps(error_body), 400, media_type="application/json")
        return Response(orjson.dumps({"data": data, "extensions": EXTENSIONS}),
                        media_type="application/json",
                        headers={"X-SQL-Statements": str(statements)})

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]),
                             Route("/health", health)], lifespan=lifespan)


def main() -> None:
    """Serve the baseline with uvicorn, one worker."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="database URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8078)
    arguments = parser.parse_args()
    uvicorn.run(create_app(arguments.database), host=arguments.host, port=arguments.port,
                workers=1, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
