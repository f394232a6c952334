"""Relation pickers, chips, filters and a function button in a real browser (Debian's
Chromium driven by Playwright), used from the keyboard; and users without rights, who see
neither the menu entry nor the data, also by direct URL. Nothing is requested outside the
server's origin; each screen is saved under the test output folder."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from modelry.admin.auth import SESSION_COOKIE
from tests.admin.conftest import PASSWORD, Site
from tests.admin.form_pages import shop
from tests.admin.test_browser import OUTPUT, server, shoot  # noqa: F401  (the served site)
from tests.browser.conftest import Visit
from tests.graphql.conftest import Server
from tests.security.conftest import make_user


def _sign_in(page: Page, url: str, login: str) -> None:
    page.goto(url)
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _shots(backend: str) -> Path:
    shots = OUTPUT / "admin" / backend
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def test_pickers_chips_filters_and_a_function_from_the_keyboard(
        server: Server, visit: Visit, site: Site, backend: str) -> None:  # noqa: F811
    """A new item's shop is found by typing and chosen with the arrow keys and Enter; a
    shop's tags are chips, one removed and one added; the list is filtered by an owner
    found the same way; the shop is closed with its function's button, and another
    function asks for its arguments; a user's password has its own screen."""
    shots, page = _shots(backend), visit.page
    _sign_in(page, f"{server.url}/admin/m/demo.PetItem/new", "root")
    picker = page.get_by_role("combobox", name="Shop")
    picker.fill("shop 2")
    options = page.get_by_role("listbox", name="Shop matches").get_by_role("option")
    expect(options).to_have_text(["Pet shop 2"] + [f"Pet shop {n}" for n in range(20, 26)])
    shoot(page, shots / "picker.png")
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", re.compile(r"-1$"))
    picker.press("Enter")
    expect(picker).to_have_value("Pet shop 20")
    expect(page.get_by_role("listbox", name="Shop matches")).to_be_hidden()
    page.get_by_label("Item name").fill("Parrot cage")
    page.get_by_label("Item name").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Created.")
    expect(page.locator("dl.record")).to_contain_text("Pet shop 20")

    page.goto(f"{server.url}/admin/m/demo.PetShop/{shop(site, 'S001').id}/edit")
    chosen = page.get_by_role("list", name="Tags chosen")
    expect(chosen.get_by_role("listitem")).to_have_text([re.compile("^dogs"),
                                                         re.compile("^fish")])
    page.get_by_role("button", name="Remove fish").click()
    tags = page.get_by_role("combobox", name="Tags")
    tags.fill("ca")
    expect(page.get_by_role("option", name="cats")).to_be_visible()
    tags.press("ArrowDown")
    tags.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_text([re.compile("^dogs"),
                                                         re.compile("^cats")])
    shoot(page, shots / "chips.png")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("dl.record dd").filter(has_text="dogs")).to_have_text("cats, dogs")

    page.goto(f"{server.url}/admin/m/demo.PetShop")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("Ann")
    expect(page.get_by_role("option", name="Ann")).to_be_visible()
    owner.press("ArrowDown")
    owner.press("Enter")
    page.get_by_label("Status").select_option("OPEN")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"\?f\.status=OPEN&f\.owner=\d+$"))
    expect(page.locator("#list .count")).to_have_text("8 records (filtered)")
    expect(page.locator("#list tbody tr").first).to_contain_text("Pet shop 12")
    shoot(page, shots / "filtered.png")
    page.reload()  # the URL alone holds the state
    expect(page.get_by_role("combobox", name="Owner")).to_have_value("Ann")
    expect(page.locator("#list .count")).to_have_text("8 records (filtered)")

    page.get_by_role("link", name="Pet shop 12").click()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("status").first).to_have_text("shop Pet shop 12 is closed")
    shoot(page, shots / "function-called.png")
    page.get_by_role("link", name="Back to Pet shop 12").click()
    page.get_by_role("link", name="Richest…").click()
    page.get_by_label("Status").select_option("CLOSED")
    page.get_by_label("Limit").fill("2")
    shoot(page, shots / "function-form.png")
    page.get_by_role("button", name="Richest").click()
    expect(page.locator("dl.result dd")).to_have_text(["Pet shop 25", "Pet shop 22"])
    page.goto(f"{server.url}/admin/m/base.User/{site.clerk_id}")
    page.get_by_role("link", name="Set password").click()
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("type", "password")
    shoot(page, shots / "set-password.png")
    assert visit.foreign_requests(server.url) == []
    assert visit.errors == []


def test_a_user_without_rights_sees_no_menu_entry_and_no_data(
        server: Server, visit: Visit, site: Site, backend: str) -> None:  # noqa: F811
    """The clerk's menu holds shops and items only; owners and users are not found by
    direct URL either. A user without any role has an empty menu and sees no shop."""
    shots, page = _shots(backend), visit.page
    _sign_in(page, f"{server.url}/admin", "clerk")
    menu = page.get_by_role("navigation", name="Models")
    expect(menu.get_by_role("link")).to_have_text(["Pet item", "Pet shop"])
    shoot(page, shots / "clerk-menu.png")
    owner_id = shop(site, "S003").owner_id
    for path in (f"/admin/m/demo.PetOwner/{owner_id}", "/admin/m/demo.PetOwner",
                 f"/admin/m/base.User/{site.admin_id}"):
        page.goto(f"{server.url}{path}")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Ann")
        expect(page.locator("main")).not_to_contain_text("root")
    shoot(page, shots / "clerk-not-found.png")

    make_user(site.app, "nobody")
    page.context.clear_cookies(name=SESSION_COOKIE)
    _sign_in(page, f"{server.url}/admin/m/demo.PetShop", "nobody")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Models")).to_have_text(
        re.compile("Your roles grant no model to read."))
    expect(page.locator("body")).not_to_contain_text("Pet shop")
    shoot(page, shots / "no-rights.png")
    assert visit.foreign_requests(server.url) == []
    # the refused pages (404) are logged by Chromium as failed loads
    assert [e for e in visit.errors if not re.search(r"status of 404\b", e)] == []
