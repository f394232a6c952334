"""Editing in a real browser (Debian's Chromium driven by Playwright): a create refused for
a missing name then corrected, and two tabs editing one shop, the second told of the
conflict with its input kept; nothing requested outside the server's origin; screenshots
under the test output folder."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.admin.conftest import PASSWORD
from tests.admin.test_browser import OUTPUT, server, shoot  # noqa: F401  (the served site)
from tests.browser.conftest import Visit
from tests.graphql.conftest import Server


def test_create_corrected_and_two_tabs_editing_one_shop(server: Server, visit: Visit,  # noqa: F811
                                                        backend: str) -> None:
    """What a user clicks: New, a server error on its field, Create; then Edit in two tabs."""
    shots = OUTPUT / "admin" / backend
    shots.mkdir(parents=True, exist_ok=True)
    page = visit.page
    page.goto(f"{server.url}/admin/m/demo.PetShop")
    page.get_by_label("Login").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="New pet shop").click()
    expect(page.get_by_role("heading", name="New pet shop")).to_be_visible()
    page.get_by_label("Code").fill("S901")
    page.get_by_label("Employees").fill("5")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("Che")
    expect(page.get_by_role("option", name="Chen")).to_be_visible()
    owner.press("ArrowDown")
    owner.press("Enter")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#f-name-error")).to_have_text("a value is required")
    expect(page.get_by_label("Code")).to_have_value("S901")
    expect(page.get_by_role("combobox", name="Owner")).to_have_value("Chen")
    shoot(page, shots / "create-refused.png")

    page.get_by_label("Name", exact=True).fill("Aquarium")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    expect(page.get_by_role("heading", name="Aquarium")).to_be_visible()
    expect(page.locator("dl.record")).to_contain_text("Chen")
    shoot(page, shots / "created.png")

    page.get_by_role("link", name="Edit").click()
    second = page.context.new_page()
    second.on("request", lambda request: visit.requests.append(request))
    second.goto(page.url)
    page.get_by_label("Name", exact=True).fill("Aquarium North")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")

    second.get_by_label("Name", exact=True).fill("Aquarium South")
    second.get_by_label("Employees").fill("9")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("alert")).to_contain_text(
        "This record was changed by someone else since you opened it")
    expect(second.get_by_label("Name", exact=True)).to_have_value("Aquarium South")
    expect(second.get_by_label("Employees")).to_have_value("9")
    shoot(second, shots / "edit-conflict.png")
    second.get_by_role("link", name="Reload the current version").click()
    expect(second.get_by_label("Name", exact=True)).to_have_value("Aquarium North")
    assert visit.foreign_requests(server.url) == []
    # the refused create (422) and the conflict (409) are logged by Chromium as failed loads
    assert [e for e in visit.errors if not re.search(r"status of (409|422)\b", e)] == []
