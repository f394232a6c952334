"""The benchmark's operations, each said three ways: modelry, PostGraphile v4, hand-written.

Request bodies are templates: `$ID`, `$STOCK` and `$NAME` are filled per request by
the wrk script (see load.py) and once by the pre-flight check (see check.py). Values are
literals inside the documents, as a naive client sends them.

PostGraphile's documents alias its generated names to modelry's (`owner:
demoPetOwnerByOwnerId`), so normalize.py only unwraps connections (`nodes`) and the
single-field `row` wrappers. Its names were checked by introspection of a running v4.14.1.

The hand-written endpoint (baseline.py, its SQL in sql.py) receives a small JSON body
`{"q": ..., ...}` rather than GraphQL, and answers exactly modelry's JSON.

Reads come first and writes last (M1 adds tags, M2 rewrites seeded stock values).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

SHOP_ID = 500  # Q1's shop


@dataclass(frozen=True)
class Operation:
    """One benchmark operation: request bodies per candidate and where its rows are."""

    name: str
    title: str
    modelry: str  # GraphQL document
    modelry_path: tuple[str, ...]  # path in `data` to the object or the page
    postgraphile: str | None  # None: PostGraphile has no comparable query
    postgraphile_path: tuple[str, ...]
    baseline: str  # JSON body template
    page_size: int = 0  # page operations: to derive totalPages from a total count
    volatile: tuple[str, ...] = ()  # keys that differ per candidate (created ids)

    def body(self, candidate: str) -> str | None:
        """The request body template for `candidate` (None when not comparable)."""
        if candidate == "baseline":
            return self.baseline
        document = self.postgraphile if candidate == "postgraphile" else self.modelry
        return None if document is None else json.dumps({"query": document})


Q1 = Operation(
    "Q1", "fetch by id + m2o",
    '{ petShopQuery { queryOne(query: {id: "%d"}) { id name income owner { id name } } } }'
    % SHOP_ID, ("petShopQuery", "queryOne"),
    '{ shop: demoPetShopById(id: "%d") { id name income owner: demoPetOwnerByOwnerId '
    "{ id name } } }" % SHOP_ID, ("shop",),
    '{"q": "Q1", "id": "%d"}' % SHOP_ID)

Q2 = Operation(
    "Q2", "page of 100 + m2o",
    "{ petItemQuery { queryPage(page: {currentPage: 1, size: 100}) "
    "{ content { id itemName price stock shop { id name } } } } }",
    ("petItemQuery", "queryPage"),
    "{ page: allDemoPetItems(first: 100, orderBy: ID_ASC) "
    "{ nodes { id itemName price stock shop: demoPetShopByShopId { id name } } } }",
    ("page",),
    '{"q": "Q2", "currentPage": 1, "size": 100}', page_size=100)

Q3 = Operation(
    "Q3", "page of 100 + m2o + o2m(5) + m2m",
    "{ petShopQuery { queryPage(page: {currentPage: 1, size: 100}) { content { id name income "
    "owner { id name } items(size: 5) { id itemName price } tags { id name } } } } }",
    ("petShopQuery", "queryPage"),
    "{ page: allDemoPetShops(first: 100, orderBy: ID_ASC) { nodes { id name income "
    "owner: demoPetOwnerByOwnerId { id name } "
    "items: demoPetItemsByShopId(first: 5, orderBy: ID_ASC) { nodes { id itemName price } } "
    "tags: demoPetShopTagsRelsByPetShopId(orderBy: PET_TAG_ID_ASC) "
    "{ nodes { row: demoPetTagByPetTagId { id name } } } } } }",
    ("page",),
    '{"q": "Q3", "currentPage": 1, "size": 100, "items": 5}', page_size=100)

Q4 = Operation(
    "Q4", "filter + sort + totals",
    "{ petItemQuery { queryPage(page: {currentPage: 1, size: 20, sort: {orders: "
    '[{field: "price", direction: DESC}]}}, queryWrapper: {rsql: "price=gt=50;stock=lt=10"}) '
    "{ totalElements totalPages content { id itemName price } } } }",
    ("petItemQuery", "queryPage"),
    "{ page: allDemoPetItems(first: 20, offset: 0, orderBy: [PRICE_DESC, ID_ASC], "
    'filter: {price: {greaterThan: "50"}, stock: {lessThan: 10}}) '
    "{ totalCount nodes { id itemName price } } }",
    ("page",),
    '{"q": "Q4", "currentPage": 1, "size": 20, "minPrice": "50", "maxStock": 10}',
    page_size=20)

M1 = Operation(
    "M1", "create",
    'mutation { petTagMutation { create(data: {name: "$NAME"}) { id name } } }',
    ("petTagMutation", "create"),
    'mutation { created: createDemoPetTag(input: {demoPetTag: {name: "$NAME"}}) '
    "{ row: demoPetTag { id name } } }",
    ("created",),
    '{"q": "M1", "name": "$NAME"}', volatile=("id",))

M2 = Operation(
    "M2", "update by id",
    'mutation { petItemMutation { update(data: {id: "$ID", stock: $STOCK}) { id stock } } }',
    ("petItemMutation", "update"),
    'mutation { updated: updateDemoPetItemById(input: {id: "$ID", '
    "demoPetItemPatch: {stock: $STOCK}}) { row: demoPetItem { id stock } } }",
    ("updated",),
    '{"q": "M2", "id": "$ID", "stock": $STOCK}')

OPERATIONS = {operation.name: operation for operation in (Q1, Q2, Q3, Q4, M1, M2)}
