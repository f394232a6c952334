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

ITEM_FIELDS = "{ content { id itemName price stock shop { id name } } }"
SHOP_FIELDS = ("{ content { id name income owner { id name } items(size: 5) "
               "{ id itemName price } tags { id name } } }")
PG_ITEM_FIELDS = "{ nodes { id itemName price stock shop: demoPetShopByShopId { id name } } }"
PG_SHOP_FIELDS = (
    "{ nodes { id name income owner: demoPetOwnerByOwnerId { id name } "
    "items: demoPetItemsByShopId(first: 5, orderBy: ID_ASC) { nodes { id itemName price } } "
    "tags: demoPetShopTagsRelsByPetShopId(orderBy: PET_TAG_ID_ASC) "
    "{ nodes { row: demoPetTagByPetTagId { id name } } } } }")


def _modelry_sort(field: str | None) -> str:
    """The `sort` of a modelry page: descending on `field` (none when None)."""
    if field is None:
        return ""
    return f', sort: {{orders: [{{field: "{field}", direction: DESC}}]}}'


def _baseline_sort(sort: str | None) -> str:
    return "" if sort is None else f', "sort": "{sort}"'


def item_page(name: str, title: str, sort: str | None = None,
              order_by: str = "ID_ASC") -> Operation:
    """Q2 and its sorted variants: a page of 100 items with their shops.

    `sort` is modelry's field (descending) and the hand-written endpoint's key;
    `order_by` is PostGraphile's equivalent.
    """
    return Operation(
        name, title,
        "{ petItemQuery { queryPage(page: {currentPage: 1, size: 100%s}) %s } }"
        % (_modelry_sort(sort), ITEM_FIELDS), ("petItemQuery", "queryPage"),
        "{ page: allDemoPetItems(first: 100, orderBy: %s) %s }" % (order_by, PG_ITEM_FIELDS),
        ("page",),
        '{"q": "Q2", "currentPage": 1, "size": 100%s}' % _baseline_sort(sort), page_size=100)


def shop_page(name: str, title: str, sort: str | None = None,
              order_by: str = "ID_ASC") -> Operation:
    """Q3 and its sorted variants: a page of 100 shops, owner, first 5 items, tags."""
    return Operation(
        name, title,
        "{ petShopQuery { queryPage(page: {currentPage: 1, size: 100%s}) %s } }"
        % (_modelry_sort(sort), SHOP_FIELDS), ("petShopQuery", "queryPage"),
        "{ page: allDemoPetShops(first: 100, orderBy: %s) %s }" % (order_by, PG_SHOP_FIELDS),
        ("page",),
        '{"q": "Q3", "currentPage": 1, "size": 100, "items": 5%s}' % _baseline_sort(sort),
        page_size=100)


# Sorted variants sort descending: the page differs from the unsorted one (so the check
# proves the sort was applied) and the index is walked backward. `shop` and `owner` are
# the indexed foreign keys (ix_demo_pet_item_shop_id, ix_demo_pet_shop_owner_id: nullable,
# so NULLS FIRST on PostgreSQL, where DESC NULLS LAST walks them backward); ties go by id
# descending. PostGraphile's own SHOP_ID_DESC is NULLS FIRST, which no index serves:
# postgraphile_sorts.js adds the *_DESC_NULLS_LAST orders a user of it would add.
Q2 = item_page("Q2", "page of 100 + m2o")
Q2_ID = item_page("Q2-id", "Q2 sorted by id desc", "id", "ID_DESC")
Q2_SHOP = item_page("Q2-shop", "Q2 sorted by shop desc (indexed FK)", "shop",
                    "[SHOP_ID_DESC_NULLS_LAST, ID_DESC]")
Q3 = shop_page("Q3", "page of 100 + m2o + o2m(5) + m2m")
Q3_ID = shop_page("Q3-id", "Q3 sorted by id desc", "id", "ID_DESC")
Q3_OWNER = shop_page("Q3-owner", "Q3 sorted by owner desc (indexed FK)", "owner",
                     "[OWNER_ID_DESC_NULLS_LAST, ID_DESC]")

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

OPERATIONS = {operation.name: operation for operation in (
    Q1, Q2, Q2_ID, Q2_SHOP, Q3, Q3_ID, Q3_OWNER, Q4, M1, M2)}
