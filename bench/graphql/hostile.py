"""Hostile requests against the demo schema: large, unique, malformed, over every limit.

`requests(count, seed)` yields (method, headers, body or query params) tuples, the same
ones for the same seed. Each kind is what an attacker (or a broken client) sends to make
a server keep something: a new document text per request, long filters, relation paths,
huge literals and numbers, bodies of the wrong type or over the size limit.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

JSON = {"content-type": "application/json"}
SHOP_FIELDS = ["id", "name", "code", "income", "rating", "employees", "visits", "isOpen",
               "status", "openedOn", "lastVisit", "taxRate", "description", "optVersion"]
Request = tuple[str, dict[str, str], Any]  # method, headers, JSON body or GET params


def _post(query: str, variables: dict[str, Any] | None = None) -> Request:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return "POST", JSON, json.dumps(body)


def unique_aliases(rng: random.Random, n: int) -> Request:
    """A valid query never seen before: a new cache entry per request."""
    fields = " ".join(f"a{n}x{i}: {rng.choice(SHOP_FIELDS)}" for i in range(rng.randint(1, 29)))
    return _post("{ petShopQuery { queryPage(page: {size: 3}) { content { %s } } } }" % fields)


def deep_selection(rng: random.Random, n: int) -> Request:
    """A large valid query: every field on three levels of relations."""
    shop = " ".join(rng.sample(SHOP_FIELDS, k=len(SHOP_FIELDS)))
    query = ("query Q%d { petShopQuery { queryPage(page: {size: 2}) { content { %s "
             "owner { id name email shops { %s items { id itemName price stock } } } "
             "items { id itemName price breed { id name } } tags { id name color } } } } }"
             % (n, shop, shop))
    return _post(query)


def huge_literal(rng: random.Random, n: int) -> Request:
    """A string literal of up to 900 KB inside a filter (the body limit is 1 MB)."""
    text = "x" * rng.randint(10_000, 900_000) + str(n)
    return _post('{ petShopQuery { countByWrapper(queryWrapper: {rsql: "name==\'%s\'"}) } }'
                 % text)


def long_filter(rng: random.Random, n: int) -> Request:
    """A valid RSQL filter just under 4 KB, unique per request."""
    parts, length = [], 0
    while length < rng.randint(500, 3900):
        part = f"name!='{n}-{rng.random():.12f}'"
        parts.append(part)
        length += len(part) + 1
    return _post("query($r: String) { petShopQuery { countByWrapper(queryWrapper: {rsql: $r}) "
                 "} }", {"r": ";".join(parts)[:4000].rsplit(";", 1)[0]})


def long_path(rng: random.Random, n: int) -> Request:
    """A relation path of 2 to 400 hops, in a filter and in a to-many list's filter."""
    hops = rng.randint(2, 400)
    path = ".".join(["owner", "shops"] * (hops // 2)) + f".id=={n}"
    if n % 2:
        return _post("query($r: String) { petShopQuery { countByWrapper(queryWrapper: "
                     "{rsql: $r}) } }", {"r": path})
    return _post("query($r: String) { petOwnerQuery { queryListByWrapper { shops(rsql: $r) "
                 "{ id } } } }", {"r": path})


def invalid_document(rng: random.Random, n: int) -> Request:
    """Unknown fields: validation errors (the server answers the first 20)."""
    fields = " ".join(f"nope{n}x{i}" for i in range(rng.randint(1, 200)))
    return _post("{ petShopQuery { %s } }" % fields)


def over_limits(rng: random.Random, n: int) -> Request:
    """Too deep, too many aliases, too many tokens."""
    kind = n % 3
    if kind == 0:
        nested = "items { shop { " * 10 + "id" + " } }" * 10
        return _post("{ petShopQuery { queryPage { content { id%d: id %s } } } }"
                     % (n, nested))
    if kind == 1:
        return _post("{ petShopQuery { %s } }" % " ".join(
            f"c{n}x{i}: countByWrapper" for i in range(40 + rng.randint(0, 400))))
    return _post("{ petShopQuery { queryPage { content { %s } } } }" % " ".join(
        ["id"] * (5000 + rng.randint(0, 20_000))))


def huge_numbers(rng: random.Random, n: int) -> Request:
    """Numbers beyond every type: page sizes, Long ids, floats, decimals."""
    kind = n % 4
    if kind == 0:
        return _post("{ petShopQuery { queryPage(page: {size: %d}) { size } } }"
                     % (10 ** rng.randint(10, 400)))
    if kind == 1:
        return _post('{ petShopQuery { queryOne(query: {id: "%d"}) { id } } }'
                     % (2 ** rng.randint(63, 4000)))
    if kind == 2:
        return _post('mutation { petShopMutation { create(data: {name: "n%d", rating: 1e%d}) '
                     "{ id } } }" % (n, rng.randint(309, 9999)))
    return _post('mutation { petShopMutation { create(data: {name: "d%d", income: "%s"}) '
                  "{ id } } }" % (n, "9" * rng.randint(30, 5000)))


def unique_mutation(rng: random.Random, n: int) -> Request:
    """A create with literal values and a long description (templated by shape)."""
    return _post('mutation { petTagMutation { create(data: {name: "t%d %s", description: '
                 '"%s"}) { id } } }' % (n, rng.random(), "d" * rng.randint(0, 20_000)))


def wrong_transport(rng: random.Random, n: int) -> Request:
    """Bodies of the wrong type or over the size limit, broken JSON, mutations by GET."""
    mutation = 'mutation { petTagMutation { create(data: {name: "csrf %d"}) { id } } }' % n
    kind = n % 5
    if kind == 0:
        return "POST", {"content-type": "text/plain"}, json.dumps({"query": mutation})
    if kind == 1:
        return "POST", JSON, json.dumps({"query": "{ __typename }", "pad": "p" * 1_100_000})
    if kind == 2:
        return "POST", JSON, '{"query": "' + "{" * rng.randint(1, 200_000)
    if kind == 3:
        return "GET", {}, {"query": mutation}
    return "POST", JSON, json.dumps({"query": "{ __typename }", "variables": {
        f"v{n}x{i}": "x" * 100 for i in range(rng.randint(100, 5000))}})


def failed_login(rng: random.Random, n: int) -> Request:
    """A failed login with a long login name, unique per request (throttling counts it)."""
    return _post("mutation($l: String!) { authMutation { login(login: $l, password: \"x\") "
                 "{ token } } }", {"l": f"{n}-" + "u" * rng.randint(1_000, 500_000)})


KINDS: list[Callable[[random.Random, int], Request]] = [
    unique_aliases, deep_selection, huge_literal, long_filter, long_path, invalid_document,
    over_limits, huge_numbers, unique_mutation, wrong_transport, failed_login]


def requests(count: int, seed: int = 12, only: list[str] | None = None) -> Iterator[Request]:
    """`count` hostile requests, every kind in turn (or the kinds named in `only`)."""
    rng = random.Random(seed)
    kinds = [kind for kind in KINDS if not only or kind.__name__ in only]
    for n in range(count):
        turn, index = divmod(n, len(kinds))
        yield kinds[index](rng, turn)  # `turn` numbers the requests of one kind


ORDINARY = [
    "{ petShopQuery { queryPage(page: {size: 10}) { totalElements content { id name income "
    "owner { name } items(size: 3) { itemName price } tags { name } } } } }",
    '{ petShopQuery { queryOneByWrapper(queryWrapper: {rsql: "status==OPEN"}) { id name } } }',
    "{ petItemQuery { countByWrapper } petOwnerQuery { queryListByWrapper { name email } } }",
    "{ shopReportQuery { construct { shopCount totalIncome } } }",
]


def ordinary(count: int) -> Iterator[Request]:
    """`count` requests of a well-behaved front end: the same few documents."""
    for n in range(count):
        yield _post(ORDINARY[n % len(ORDINARY)])
