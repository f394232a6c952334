"""Fixtures of the GraphiQL console tests: the demo served from a private SQLite file, and
Debian's Chromium driven by Playwright (Playwright's own browser download cannot work here).

The console does not depend on the database, so these tests boot their own SQLite app
instead of running once per configured backend.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright

from modelry.boot import App
from modelry.core.security import tokens
from modelry.core.security.grants import grant_module
from tests.graphql.conftest import Server, boot_demo, load_sample
from tests.graphql.conftest import _no_unexpected_errors  # noqa: F401  (autouse here too)
from tests.security.conftest import make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class ConsoleServer:
    """The demo API with its sample data, served; `admin_token` is an admin's bearer token."""

    app: App
    server: Server
    admin_token: str

    @property
    def url(self) -> str:
        return self.server.url


@dataclass
class Visit:
    """A fresh browser page, and what it did: every request, every console error."""

    page: Page
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self, origin: str) -> list[str]:
        """The URLs requested outside `origin` (scheme://host:port)."""
        return [r.url for r in self.requests if _origin(r.url) != origin]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """`modelry serve --demo` with the sample data, on SQLite; the app closes with it."""
    app = boot_demo(f"sqlite:///{tmp_path_factory.mktemp('console') / 'demo.db'}")
    load_sample(app)
    grant_module(app, "demo")
    token, _ = tokens.issue(app, make_user(app, "root", admin=True))
    server = Server(app.asgi)
    yield ConsoleServer(app, server, token)
    server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium, without any network of its own (no updates, no sync)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(chromium: Browser) -> Iterator[Visit]:
    """A page in a fresh browser context (no cache, no stored GraphiQL tabs), recorded."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    recorded = Visit(page)
    page.on("request", lambda request: recorded.requests.append(request))
    page.on("console", lambda m: recorded.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    yield recorded
    context.close()
