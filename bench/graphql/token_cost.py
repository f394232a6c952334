"""What a bearer token costs a read: Q1 and Q2 (queries.py) anonymous, with a token whose
identity is read from the database on every request (the identity cache off: before
issue 18), and with the identity cache on (after). Prints SQL statements per request and
in-process time per request as ratios to the anonymous read, measured in one run (the
executor called directly: no HTTP, no wrk; the main benchmark, run.py, measures those).

    .venv/bin/python bench/graphql/token_cost.py [URL] [--requests N]

(default: PostgreSQL `postgresql://postgres@127.0.0.1:5432/modelry_token_bench`, a database
of its own that it creates when missing; its tables are dropped and rebuilt).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from modelry.boot import boot  # noqa: E402
from modelry.core.security import tokens  # noqa: E402
from modelry.core.security.grants import grant_module  # noqa: E402
from modelry.core.security.identity_cache import IdentityCache, use_identity_cache  # noqa: E402
from modelry.core.security.passwords import hash_password  # noqa: E402
from modelry.modules.demo.sample import load_sample_data  # noqa: E402
from queries import Q1, Q2, SHOP_ID  # noqa: E402  (bench/graphql, the script's folder)
from seed import ensure_database  # noqa: E402
from tests.conftest import drop_everything  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/modelry_token_bench"
ROUNDS = 5
VARIANTS = ("anonymous", "token, cache off", "token, cache on")


def prepare(url: str) -> tuple[Any, str, dict[str, bytes]]:
    """The demo app on `url` with 500 shops of 4 items, a reader's token, the bodies."""
    ensure_database(url)
    drop_everything(url)
    app = boot(database=url, modules=["demo"], lifecycle="install",
               options={"init_data": False})
    with app.transaction():
        load_sample_data(shops=SHOP_ID, items_per_shop=4)
        shop = app.data.query_list("demo.PetShop", sort="id")[-1].id
        role = app.registry.model("base.Role").cls(code="reader", name="reader")
        role = app.data.create(role)
        user = app.data.create(app.registry.model("base.User").cls(
            login="reader", name="Reader", active=True, password=hash_password("x"),
            roles=[role.id]))
    grant_module(app, "demo")
    grant_module(app, "demo", role="reader")
    token, _ = tokens.issue(app, user.id)
    q1 = Q1.body("modelry").replace(f'\\"{SHOP_ID}\\"', f'\\"{shop}\\"')
    return app, token, {"Q1": q1.encode(), "Q2": Q2.body("modelry").encode()}


def measure(app: Any, token: str, body: bytes, requests: int) -> dict[str, tuple[int, float]]:
    """Per variant: statements of one warm request, and the best round's µs per request."""
    executor = app.asgi.state.executor
    headers = {"anonymous": None, "token, cache off": f"Bearer {token}",
               "token, cache on": f"Bearer {token}"}
    caches = {"token, cache off": IdentityCache(max_age=0.0),
              "token, cache on": IdentityCache()}
    best = dict.fromkeys(VARIANTS, float("inf"))
    counts: dict[str, int] = {}
    for _ in range(ROUNDS):  # variants interleaved, so drift hits each alike
        for variant in VARIANTS:
            if variant in caches:
                use_identity_cache(app, caches[variant])
            for _ in range(3):  # warm: plans, rights, the identity
                response = executor.run(body, authorization=headers[variant])
                assert response.status == 200 and response.body["extensions"]["success"]
            counts[variant] = response.statements
            started = time.perf_counter()
            for _ in range(requests):
                executor.run(body, authorization=headers[variant])
            best[variant] = min(best[variant], (time.perf_counter() - started) / requests)
    return {variant: (counts[variant], best[variant] * 1e6) for variant in VARIANTS}


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=300, help="per variant and round")
    arguments = parser.parse_args()
    app, token, bodies = prepare(arguments.url)
    try:
        print(f"{app.dialect}: best of {ROUNDS} rounds of {arguments.requests} requests")
        print(f"{'query':6}{'variant':20}{'statements':>11}{'µs/request':>12}{'× anonymous':>13}")
        for name, body in bodies.items():
            results = measure(app, token, body, arguments.requests)
            anonymous = results["anonymous"][1]
            for variant, (count, micros) in results.items():
                print(f"{name:6}{variant:20}{count:>11}{micros:>12.0f}"
                      f"{micros / anonymous:>13.2f}")
        print("statements: of one warm request (the X-SQL-Statements count)")
    finally:
        app.close()


if __name__ == "__main__":
    main()
