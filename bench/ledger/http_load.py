"""`submit` through the real server: `modelry serve` (one worker, pinned to the other CPU)
answers `transferMutation { submit }` posted by the bench's clients with a bearer token,
a batch of transfers per request, over keep-alive HTTP connections."""
from __future__ import annotations

import http.client
import json
import random
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from bench.graphql.candidates import HOST, Candidate
from modelry.boot import App
from modelry.core.security.grants import grant_module
from modelry.core.security.passwords import hash_password
from modelry.core.security.tokens import login

ROOT = Path(__file__).resolve().parents[2]  # the server runs this checkout's code
PORT = 8079
SUBMIT = ("mutation($t: [TransferRequestInput!]!) { transferMutation { "
          "submit(transfers: $t) { code } } }")


def clerk_token(app: App) -> str:
    """A user holding every right on the account module, logged in: its bearer token."""
    with app.activate(), app.transaction():
        role = app.data.create(app.registry.model("base.Role").cls(code="clerk", name="Clerk"))
        app.data.create(app.registry.model("base.User").cls(
            login="clerk", name="Clerk", active=True, password=hash_password("bench-pass"),
            roles=[role.id]))
    grant_module(app, "account", role="clerk")
    return login(app, "clerk", "bench-pass")[0]


def server(database: str) -> Candidate:
    """`modelry serve` of the account module on `database` (its tables already there)."""
    executable = Path(sys.executable).parent / "modelry"
    return Candidate("modelry", PORT, [
        str(executable), "serve", "--database", database, "--module", "account",
        "--lifecycle", "reload", "--host", HOST, "--port", str(PORT), "--workers", "1",
        "--log-level", "warning"], env={"PYTHONPATH": str(ROOT)})


def graphql_step(token: str, accounts: list[int], batch: int, tag: str
                 ) -> Callable[[int, int], int]:
    """A client's call: one POST of `batch` transfers; the transfers applied."""
    local = threading.local()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def step(client: int, n: int) -> int:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        rng = random.Random(hash((tag, client, n)))
        transfers = []
        for i in range(batch):
            debit, credit = rng.sample(accounts, 2)
            transfers.append({"ledger": "EUR", "key": f"{tag}{client}-{n}-{i}",
                              "debitAccount": str(debit), "creditAccount": str(credit),
                              "amount": str(rng.randint(1, 100))})
        body = json.dumps({"query": SUBMIT, "variables": {"t": transfers}})
        connection.request("POST", "/graphql", body=body, headers=headers)
        answer = json.loads(connection.getresponse().read())
        results = answer["data"]["transferMutation"]["submit"]
        return sum(result["code"] == "ok" for result in results)
    return step

