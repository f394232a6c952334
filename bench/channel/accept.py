"""Orders accepted per second through the signed merchant API (issue 17): `modelry serve`
of the channel module (one worker, pinned to CPU 1, its task worker off so that nothing is
fulfilled while we measure) answers `POST /api/channel/orders`, each request signed
(`signing.sign_headers`), from `--clients` threads pinned to CPU 0 over keep-alive httpx
connections. Each accepted order is what `place_order` writes: the nonce (its own
transaction), the order, its two agents' shares, the hold of the merchant's price in the
ledger (`submit` of one pending transfer inside the order's transaction) and the queued
submission task.

Two shapes: one merchant per client (16 balance accounts), and every client on one
merchant (one hot balance account, the holds serialised on its row).

The baseline, in the same run and the same server: `transferMutation { submit }` of that
one pending transfer per request through /graphql with a bearer token, from the same
merchants' accounts to one shared account (as every order's hold credits the module's one
clearing account). It is the one thing an order cannot do without (an HTTP request that
holds the money through the ledger) on the same HTTP stack, so the ratio is the price of
everything the channel adds: the signature and nonce, the routing, the fee snapshot and
shares, the order row and the outbox task, and the hold made inside the order's
transaction (a `submit` outside one, as the baseline's, is merged with concurrent calls
into one transaction by the ledger's group commit; inside one, it keeps its accounts' rows
locked until the order commits).

    .venv/bin/python bench/channel/accept.py [--database URL|sqlite] [--clients 16]
        [--seconds 10] [--profile FOLDER]

The database (PostgreSQL `bench_channel` by default; a MariaDB URL or `sqlite` works too)
is dropped and created by the run, and dropped at its end. Besides orders/s and p50/p99,
each row has the CPU milliseconds per order of the server process and of the PostgreSQL
backends (a shared machine's load moves these far less than the wall clock), and on
PostgreSQL how many backends waited on a lock, on average. At the end, `place_order` is
called IN_PROCESS times in the bench's own process, one after the other, without HTTP:
the statements an order sends, and its CPU. `--profile` samples the server with py-spy
(`pip install py-spy`) during each orders load.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.billing import cpu  # noqa: E402
from bench.channel.shop import PRODUCT, Shop, build, database, share_secret_key  # noqa: E402
from bench.graphql.candidates import HOST, Candidate  # noqa: E402
from bench.ledger import load  # noqa: E402
from bench.ledger.autoanalyze import AutoAnalyze  # noqa: E402
from bench.ledger.http_load import SUBMIT, clerk_token  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.boot.engine import create_engine  # noqa: E402
from modelry.modules.channel import signing  # noqa: E402

DEFAULT = "postgresql://postgres@127.0.0.1:5432/bench_channel"
PORT = 8083
IN_PROCESS = 200                # orders placed in this process at the end, one by one
PRICE = 9850                    # minor units: 100.00 at the merchant's rate 0.985
GROWING = ["channel.RechargeOrder", "channel.OrderShare", "channel.RequestNonce",
           "account.Transfer", "account.Entry", "base.Task"]


class Refused(Exception):
    """The server did not accept a request."""


def server(url: str, folder: Path) -> Candidate:
    """`modelry serve` of the channel module on `url` (tables there), no task worker."""
    config = folder / "modelry.yaml"
    config.write_text(yaml.safe_dump({"database": url, "modules": ["channel"],
                                      "tasks": {"in_server": False}}))
    executable = Path(sys.executable).parent / "modelry"
    return Candidate("modelry-channel", PORT, [
        str(executable), "serve", "--config", str(config), "--lifecycle", "reload",
        "--host", HOST, "--port", str(PORT), "--workers", "1", "--log-level", "warning"],
        env={"PYTHONPATH": str(ROOT)})


def _connection(local: threading.local) -> httpx.Client:
    if getattr(local, "http", None) is None:
        local.http = httpx.Client(base_url=f"http://{HOST}:{PORT}", timeout=60)
    return local.http


def order_step(keys: list[tuple[str, bytes]], tag: str, first_error: list[str]
               ) -> Callable[[int, int], int]:
    """A client's call: one signed order of 100.00 with client `c`'s key `keys[c]`."""
    local = threading.local()

    def step(client: int, n: int) -> int:
        key_id, secret = keys[client]
        body = signing.canonical_body({"merchant_order_no": f"{tag}-{client}-{n}",
                                       "product": PRODUCT, "target": "13800000000",
                                       "amount": "100"})
        headers = signing.sign_headers(secret, key_id, body)
        headers["Content-Type"] = "application/json"
        answer = _connection(local).post("/api/channel/orders", content=body,
                                         headers=headers)
        if answer.status_code != 200 or answer.json().get("status") != "CREATED":
            first_error[:] = first_error or [f"{answer.status_code} {answer.text[:300]}"]
            raise Refused(answer.text)
        return 1
    return step


def hold_step(token: str, accounts: list[int], clearing: int, tag: str,
              first_error: list[str]) -> Callable[[int, int], int]:
    """A client's call: one pending transfer of PRICE from `accounts[c]` (the baseline)."""
    local = threading.local()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def step(client: int, n: int) -> int:
        transfer = {"ledger": "CNY", "key": f"{tag}-{client}-{n}", "pending": True,
                    "debitAccount": str(accounts[client]), "creditAccount": str(clearing),
                    "amount": str(PRICE)}
        answer = _connection(local).post("/graphql", headers=headers, content=json.dumps(
            {"query": SUBMIT, "variables": {"t": [transfer]}}))
        try:
            code = answer.json()["data"]["transferMutation"]["submit"][0]["code"]
        except (KeyError, TypeError, ValueError, IndexError):
            code = answer.text[:300]
        if code != "ok":
            first_error[:] = first_error or [code]
            raise Refused(code)
        return 1
    return step


class LockWaits:
    """PostgreSQL: how many of the database's backends wait on a lock, sampled every 50 ms
    while running (the mean), and which table's rows the waits queue on (the second
    waiter on a row waits for a `tuple` lock naming it)."""

    def __init__(self, engine: sa.Engine | None) -> None:
        self.engine, self.samples, self.stopping = engine, [], threading.Event()
        self.tables: Counter[str] = Counter()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockWaits:
        if self.engine is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()

    def line(self) -> str:
        """'; waiting on locks <mean> (rows of <table>)', or nothing."""
        if not self.samples:
            return ""
        queued = f" (rows of {self.tables.most_common(1)[0][0]})" if self.tables else ""
        return f"; waiting on locks {sum(self.samples) / len(self.samples):4.1f}{queued}"

    def _run(self) -> None:
        assert self.engine is not None
        with self.engine.connect() as connection:
            while not self.stopping.wait(0.05):
                self.samples.append(connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND wait_event_type = 'Lock'").scalar())
                self.tables.update(connection.exec_driver_sql(
                    "SELECT relation::regclass::text FROM pg_locks WHERE NOT granted "
                    "AND locktype = 'tuple' AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())").scalars())
                connection.rollback()


class Measured:
    """A load run with the CPU seconds the server and the database spent on it."""

    def __init__(self, app: App, served: Candidate, clients: int, seconds: float,
                 side: sa.Engine | None) -> None:
        self.app, self.served, self.clients, self.seconds = app, served, clients, seconds
        self.side = side      # PostgreSQL: a connection left out of the backends' CPU

    def run(self, name: str, step: Callable[[int, int], int], first_error: list[str],
            profile: Path | None = None) -> load.Figures:
        """Run `step` from the clients (the server sampled by py-spy into `profile`);
        print its line."""
        spy = None if profile is None or self.served.process is None else subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses",
             "--format", "raw", "--gil", "--rate", "200", "--duration", str(int(self.seconds)),
             "--output", str(profile), "--pid", str(self.served.process.pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = self.served.cpu_seconds(), cpu.server(self.app.engine)
        with LockWaits(self.side) as waits:
            figures = load.run(name, self.clients, self.seconds, step)
        after = self.served.cpu_seconds(), cpu.server(self.app.engine)
        if spy is not None:
            spy.wait()
        per = max(figures.transfers, 1)
        served_ms = (after[0] - before[0]) * 1000 / per
        database = "" if after[1] is None or before[1] is None else \
            f", PG {(after[1] - before[1]) * 1000 / per:5.2f}"
        print(f"{name:46} {figures.transfers:7d} in {figures.seconds:4.1f} s: "
              f"{figures.rate:7.0f}/s; p50 {figures.percentile(0.5):6.1f} ms, "
              f"p99 {figures.percentile(0.99):6.1f} ms; CPU ms each: server {served_ms:5.2f}"
              f"{database}{waits.line()}" + (f"; {figures.errors} errors ({first_error[0]})"
                                             if figures.errors else ""), flush=True)
        return figures


def ratio(orders: load.Figures, baseline: load.Figures) -> None:
    """Print the orders' rate over the baseline's."""
    value = orders.rate / baseline.rate if baseline.rate else float("nan")
    print(f"{'':46} orders / baseline: {value:.2f}x", flush=True)


def in_process(app: App, merchant: str, orders: int) -> str:
    """`place_order` called `orders` times in this process, one after the other, outside
    the server: statements sent and this process's CPU per order."""
    from modelry.modules.channel.accepting import place_order
    sent = [0]

    def count(*_: object) -> None:
        sent[0] += 1
    sa.event.listen(app.engine, "before_cursor_execute", count)
    try:
        with app.activate():
            began, cpu_began = time.perf_counter(), time.process_time()
            for n in range(orders):
                place_order(merchant, f"in-process-{n}", PRODUCT, "13800000000",
                            Decimal(100))
            wall, spent = time.perf_counter() - began, time.process_time() - cpu_began
    finally:
        sa.event.remove(app.engine, "before_cursor_execute", count)
    return (f"place_order in this process, {orders} one after the other: {sent[0] / orders:.0f} "
            f"statements, {spent * 1000 / orders:.1f} ms CPU, {wall * 1000 / orders:.1f} ms "
            "each")


def check(app: App, shop: Shop, accepted: int, held: int) -> str:
    """Every accepted order is in the database, and every hold (the orders' and the
    baseline's, PRICE each) is pending on its merchant's account."""
    from modelry.modules.account.models import Account
    from modelry.modules.channel.orders import RechargeOrder
    with app.activate(), app.transaction():
        orders = RechargeOrder.count()
        pending = sum(Account.query_by_id(shop.accounts[code]).debits_pending
                      for code in shop.keys)
    good = orders == accepted and pending == (accepted + held) * PRICE
    return (f"check {'ok' if good else 'FAILED'}: {orders} orders in the database, {accepted} "
            f"accepted; {pending / 100:,.2f} CNY held for {accepted + held} holds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", metavar="FOLDER",
                        help="record the server with py-spy during each orders load "
                             "(collapsed stacks, FOLDER/<shape>.txt)")
    options = parser.parse_args()
    share_secret_key()
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {0})
    with database(options.database, "channel.db") as (url, folder):
        app = boot(database=url, modules=["channel"], lifecycle="install")
        served = server(url, folder)
        side = create_engine(url, pool_size=2, connect_args={
            "application_name": cpu.ANALYZE}) if url.startswith("postgresql") else None
        try:
            alone = {f"m-{c:02d}": 1 for c in range(options.clients)}
            shop = build(app, {**alone, "hot": options.clients})
            token = clerk_token(app)
            served.start(pin="1" if len(os.sched_getaffinity(0)) == 1 else None)
            print(f"{url.split('@')[-1]}: {options.clients} clients (threads on CPU "
                  f"{sorted(os.sched_getaffinity(0))}), `modelry serve` on CPU 1, "
                  f"{options.seconds:.0f} s per load", flush=True)
            measured = Measured(app, served, options.clients, options.seconds, side)
            tables = [app.registry.model(code).table for code in GROWING]
            with AutoAnalyze(side or app.engine, tables) as analyze:
                if analyze.running:
                    print("autovacuum is off on this server: ANALYZE every 2 s stands in "
                          "for it (bench/ledger/autoanalyze.py)", flush=True)
                accepted, held = loads(measured, shop, token, list(alone), options.profile)
            print(in_process(app, "m-00", IN_PROCESS), flush=True)
            print(check(app, shop, accepted + IN_PROCESS, held), flush=True)
        finally:
            served.stop()
            app.close()
            if side is not None:
                side.dispose()


def loads(measured: Measured, shop: Shop, token: str, alone: list[str],
          profile: str | None) -> tuple[int, int]:
    """The baseline and the orders, a merchant per client then one hot merchant; the
    orders accepted and the baseline's holds."""
    accepted = held = 0
    clients = measured.clients
    for shape, merchants in [("a merchant per client", alone),
                             ("one hot merchant", ["hot"] * clients)]:
        errors: list[str] = []
        tag = shape.split()[-1]
        accounts = [shop.accounts[code] for code in merchants]
        base = measured.run(f"baseline (hold via /graphql), {shape}",
                            hold_step(token, accounts, shop.accounts["sup"], tag, errors),
                            errors)
        keys = [shop.keys[code][c if code == "hot" else 0] for c, code in enumerate(merchants)]
        orders = measured.run(f"signed orders, {shape}", order_step(keys, tag, errors),
                              errors, profile and Path(profile) / f"{tag}.txt")
        accepted += orders.transfers
        held += base.transfers
        ratio(orders, base)
        time.sleep(0.5)
    return accepted, held

if __name__ == "__main__":
    main()
