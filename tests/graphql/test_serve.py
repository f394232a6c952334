"""`modelry serve --demo` as a child process: it boots the demo on an embedded SQLite file,
answers /health and GraphQL, logs one JSON line per request, and stops cleanly on SIGTERM."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from modelry.core.security.passwords import verify_password
from tests.graphql.conftest import no_stack_trace

PAGE = {"query": "{ petShopQuery { queryPage(page: {size: 3, sort: {orders: [{field: \"code\"}]}})"
                 " { totalElements totalPages content { code status owner { name } "
                 "items(size: 2) { itemName } tags { name } } } } }"}


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    client: httpx.Client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve_demo(tmp_path: Path) -> Iterator[Served]:
    """`modelry serve --demo` in `tmp_path` (its SQLite file lands there)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELRY_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "modelry.cli", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=30, event_hooks={"response": [no_stack_trace]})
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "modelry serve --demo did not come up"
        time.sleep(0.1)
    try:
        yield Served(process, url, client)
    finally:
        client.close()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def finish(process: subprocess.Popen) -> tuple[str, str]:
    """SIGTERM, then the process's stdout and stderr once it has exited cleanly.

    uvicorn finishes its shutdown, then re-raises the signal it caught (so a supervisor sees
    why it stopped): the exit status is 0 or "terminated by SIGTERM".
    """
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    assert "Finished server process" in stderr
    return stdout, stderr


def test_serve_demo_answers_health_and_graphql(serve_demo: Served, tmp_path: Path) -> None:
    client = serve_demo.client
    health = client.get("/health")
    assert health.json() == {"status": "ok",
                             "modules": ["base", "account", "billing", "demo", "order",
                                         "channel"]}
    response = client.post("/graphql", json=PAGE)
    assert response.status_code == 200
    body = response.json()
    assert body["extensions"] == {"success": True, "messages": []}
    page = body["data"]["petShopQuery"]["queryPage"]
    assert (page["totalElements"], page["totalPages"]) == (20, 7)
    first = page["content"][0]
    assert (first["code"], first["status"], first["owner"]["name"]) == ("S001", "CLOSED", "Bob")
    assert [i["itemName"] for i in first["items"]] == ["Item 1.1", "Item 1.2"]
    ledger = client.post("/graphql", json={"query": '{ accountQuery { queryPage(page: {size: 50,'
                         ' sort: {orders: [{field: "code"}]}}) { content { code '
                         'creditsPosted debitsPosted } } } }'}).json()
    wallets = {a["code"]: int(a["creditsPosted"]) - int(a["debitsPosted"])
               for a in ledger["data"]["accountQuery"]["queryPage"]["content"]}
    # Ann: the ledger sample's 178.50, plus order DEMO-1 (30.00) paid into her wallet, less
    # last month's Pro bill (64.65) posted from it
    assert (wallets["ann"], wallets["bob"], wallets["fees"]) == \
        (17_850 + 3_000 - 6_465, 3_788, 12)
    assert sorted(t["name"] for t in first["tags"]) == ["dogs", "fish"]
    assert int(response.headers["x-sql-statements"]) >= 1
    graphiql = client.get("/graphql")
    assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    assert (tmp_path / "modelry-demo.db").exists()

    stdout, stderr = finish(serve_demo.process)
    assert f"{serve_demo.url}/graphql" in stdout
    # the demo's administrator, with a password made at this start and printed
    signing_in = re.search(r"sign in as admin / (\S+)\): " + re.escape(serve_demo.url)
                           + "/admin", stdout)
    assert signing_in is not None, stdout
    with sqlite3.connect(tmp_path / "modelry-demo.db") as database:
        stored, is_admin = database.execute(
            "SELECT password, is_admin FROM base_user WHERE login = 'admin'").fetchone()
    assert verify_password(signing_in.group(1), stored) and is_admin
    access = [json.loads(line) for line in stderr.splitlines()
              if line.startswith('{"method"')]
    assert {"method": "POST", "path": "/graphql", "status": 200} in [
        {k: entry[k] for k in ("method", "path", "status")} for entry in access]
    posted = next(entry for entry in access if entry["path"] == "/graphql")
    assert posted["statements"] >= 1 and posted["ms"] >= 0


def test_serve_shuts_down_gracefully_on_sigterm(serve_demo: Served, tmp_path: Path) -> None:
    statuses: list[int] = []
    failures: list[Exception] = []
    stop = threading.Event()
    busy = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=serve_demo.url, timeout=30) as client:
            while not stop.is_set():
                try:
                    statuses.append(client.post("/graphql", json=PAGE).status_code)
                except httpx.TransportError as error:   # refused once the server is down
                    failures.append(error)
                    return
                busy.set()

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for worker in workers:
        worker.start()
    assert busy.wait(20)
    began = time.monotonic()
    stdout, stderr = finish(serve_demo.process)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert time.monotonic() - began < 15
    assert "Shutting down" in stderr
    assert "Traceback" not in stderr
    assert statuses and set(statuses) == {200}          # every answered request succeeded
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{serve_demo.url}/health", timeout=2)
    with sqlite3.connect(tmp_path / "modelry-demo.db") as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert database.execute("SELECT count(*) FROM demo_pet_shop").fetchone() == (20,)
