"""The admin in a real browser (Debian's Chromium driven by Playwright): sign in, list, sort,
search, open a record; nothing is requested outside the server's origin, and each screen is
saved as a screenshot under the test output folder."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.admin.conftest import PASSWORD, Site
from tests.browser.conftest import Visit
from tests.graphql.conftest import Server

OUTPUT = Path(os.environ.get("MODELRY_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))


def shoot(page: Page, path: Path) -> None:
    """A full-page screenshot; the caret left as it is (hiding it injects an inline style,
    which the page's Content-Security-Policy refuses with a console error)."""
    page.screenshot(path=path, full_page=True, caret="initial")


@pytest.fixture
def server(site: Site) -> Iterator[Server]:
    """The site served by uvicorn on 127.0.0.1 (a real origin for the browser)."""
    served = Server(site.app.asgi)
    yield served
    served.stop()


def test_sign_in_list_sort_search_and_open_a_record(server: Server, visit: Visit,
                                                    backend: str) -> None:
    """The whole reading path as a user clicks it, the table swapped in place by htmx."""
    shots = OUTPUT / "admin" / backend
    shots.mkdir(parents=True, exist_ok=True)
    page = visit.page
    page.goto(f"{server.url}/admin/m/demo.PetShop")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, shots / "login.png")

    page.get_by_label("Login").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Pet shop", exact=True)).to_be_visible()
    expect(page.locator("#list tbody tr").first).to_contain_text("Pet shop 1")
    shoot(page, shots / "list.png")

    page.locator("th a[data-sort=code]").click()
    expect(page).to_have_url(re.compile(r"\?sort=code$"))
    page.locator("th a[data-sort=code]").click()
    expect(page).to_have_url(re.compile(r"\?sort=-code$"))
    expect(page.locator("#list tbody tr").first).to_contain_text("Pet shop 25")
    shoot(page, shots / "sorted.png")

    page.get_by_label("Search").fill("shop 1")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=shop(\+|%20)1&sort=-code$"))
    expect(page.locator("#list .count")).to_contain_text("11 records matching")
    expect(page.locator("#list tbody tr").first).to_contain_text("Pet shop 19")
    shoot(page, shots / "searched.png")
    swapped = [r for r in visit.requests if r.headers.get("hx-request") == "true"]
    assert len(swapped) == 3  # two sorts and the search: the table only, by htmx

    page.get_by_role("link", name="Pet shop 19").click()
    expect(page.get_by_role("heading", name="Pet shop 19")).to_be_visible()
    expect(page.locator("dl.record")).to_contain_text("S019")
    shoot(page, shots / "detail.png")

    page.go_back()
    expect(page.locator("#list tbody tr").first).to_contain_text("Pet shop 19")
    assert visit.foreign_requests(server.url) == []
    assert visit.errors == []
