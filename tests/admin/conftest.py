"""Fixtures of the admin tests: the demo served in-process (Starlette's TestClient over the
real ASGI app) on each test database, an admin and a clerk whose role reads only shops."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from modelry import directives
from modelry.boot import App
from modelry.modules.account.sample import load_sample_data as load_ledger
from modelry.modules.demo.sample import load_sample_data
from tests.browser.conftest import chromium, visit  # noqa: F401  (test_browser's)
from tests.security.conftest import _no_unexpected_errors  # noqa: F401  (autouse here too)
from tests.security.conftest import make_role, make_user

PASSWORD = "secret"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
BROWSER_BACKENDS = {"sqlite", "postgresql"}  # where the Playwright tests run (issue 19)
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The admin's Playwright tests run on SQLite and PostgreSQL only: what they add to the
    HTTP tests (which run on every database, MariaDB too) is the browser's side, and CI
    time is short. Deselected, not skipped: a skip fails a run that requires databases."""
    browser = [item for item in items if item.path.is_relative_to(HERE)
               and "visit" in getattr(item, "fixturenames", ())
               and getattr(getattr(item, "callspec", None), "params", {}).get(
                   "backend") not in BROWSER_BACKENDS]
    if browser:
        config.hook.pytest_deselected(items=browser)
        dropped = set(map(id, browser))
        items[:] = [item for item in items if id(item) not in dropped]


@dataclass
class Site:
    """The served demo: its app and the ids of its two users."""

    app: App
    admin_id: int
    clerk_id: int

    def client(self) -> AdminClient:
        """A new browser-like client (its own cookies), signed in as nobody."""
        return AdminClient(self.app.asgi, base_url="http://testserver")

    def count(self, code: str) -> int:
        """How many records of `code` are stored (read as back-end code)."""
        with directives.scope(), self.app.transaction(readonly=True):
            return self.app.data.count(code)


class AdminClient(TestClient):
    """A TestClient that knows the admin's forms (`served` is the app it talks to, when a
    fixture sets it)."""

    served: App | None = None

    def csrf(self) -> str:
        """The CSRF token the login page hands out (and sets as a cookie)."""
        return CSRF.search(self.get("/admin/login").text).group(1)

    def login(self, login: str, password: str = PASSWORD, next: str = "") -> httpx.Response:
        """Post the login form as a browser would."""
        return self.post("/admin/login", data={"csrf": self.csrf(), "login": login,
                                               "password": password, "next": next},
                         follow_redirects=False)

    def text(self, url: str, **headers: str) -> str:
        """The page at `url`, which must answer 200."""
        answer = self.get(url, headers=headers)
        assert answer.status_code == 200, (answer.status_code, answer.text[:500])
        return answer.text


def grant(app: App, role_id: int, model: str, **rules: Any) -> None:
    """Let `role_id` read `model`; `hidden=[fields]` hides fields, `rsql=` adds a read rule."""
    registry = app.registry
    with directives.scope(), app.transaction():
        registry.model("base.ModelAccess").cls(role=role_id, model=model, perm_read=True).create()
        for name in rules.get("hidden", ()):
            registry.model("base.FieldAccess").cls(role=role_id, model=model, field=name,
                                                   hidden=True).create()
        if "rsql" in rules:
            registry.model("base.RecordRule").cls(role=role_id, model=model, rsql=rules["rsql"],
                                                  perm_read=True).create()


@pytest.fixture
def site(make_app: Callable[..., App]) -> Site:
    """The demo with 25 shops; `root` is an admin, `clerk` may read shops (not their income,
    and only shops coded S00..) and items, nothing else. Anonymous callers get no right."""
    app = make_app(["demo"], grant_anonymous=False)
    with app.transaction():
        load_sample_data(shops=25, items_per_shop=2)
    clerks = make_role(app, "clerk")
    grant(app, clerks, "demo.PetShop", hidden=["income"], rsql="code=starts=S00")
    grant(app, clerks, "demo.PetItem")
    return Site(app, make_user(app, "root", admin=True), make_user(app, "clerk",
                                                                    roles=(clerks,)))


def every_model_client(make_app: Callable[..., App]) -> tuple[AdminClient, list[str]]:
    """root signed in to the demo and account modules with their sample data, and the model
    codes of its menu."""
    app = make_app(["demo", "account"], grant_anonymous=False)
    with app.transaction():
        load_sample_data(shops=3, items_per_shop=2)
        load_ledger()
    make_user(app, "root", admin=True)
    client = AdminClient(app.asgi, base_url="http://testserver")
    client.served = app
    client.login("root")
    return client, re.findall(r'href="/admin/m/([\w.]+)"', client.text("/admin"))


def cells(page: str) -> list[list[str]]:
    """The text of each body row's cells of the page's table."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def headers_of(page: str) -> list[str]:
    """The column headings of the page's table (sort arrows left out)."""
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>|[▲▼]", "", cell).strip()
            for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
