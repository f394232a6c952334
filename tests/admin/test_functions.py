"""A model's API functions as buttons of its detail screen, called through the function
pipeline as the signed-in client: arguments from a small form, results and messages shown,
errors as messages, and only the functions the caller's roles grant."""
from __future__ import annotations

import html
import re

from modelry import directives
from tests.admin.conftest import Site, grant
from tests.admin.form_pages import shop
from tests.security.conftest import make_role, make_user


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_an_action_runs_on_the_record_and_shows_its_message(site: Site) -> None:
    """`close` (an action) is a button posting the shop's version: the shop is closed, its
    success message shown; clicked again from the stale page, the conflict is a message."""
    root = site.client()
    root.login("root")
    old = shop(site, "S004")
    url = f"/admin/m/demo.PetShop/{old.id}"
    detail = root.text(url)
    assert f'<form method="post" action="{url}/call/close">' in detail
    assert re.search(r'<button type="submit" title="Close the shop[^"]*">Close</button>', detail)
    assert f'<a class="button" href="{url}/call/richest"' in detail  # it asks for arguments
    button = detail.split(f'action="{url}/call/close"', 1)[1].split("</form>", 1)[0]
    version = re.search(r'name="opt_version" value="(\d+)"', button).group(1)
    form = {"csrf": _csrf(detail), "opt_version": version}
    closed = root.post(f"{url}/call/close", data=form)
    assert closed.status_code == 200
    assert "shop Pet shop 4 is closed" in closed.text and "Done." in closed.text
    assert f'<a href="/admin/m/demo.PetShop/{old.id}">Pet shop 4</a>' in closed.text
    now = shop(site, "S004")
    assert (now.status.value, now.closed_on is not None) == ("CLOSED", True)
    stale = root.post(f"{url}/call/close", data=form)
    assert stale.status_code == 409 and "changed by someone else" in stale.text


def test_a_function_with_arguments_gets_a_form(site: Site) -> None:
    """`richest(limit, status)` asks for its arguments (typed inputs, defaults filled in);
    a wrong one is an error on its input, nothing run; good ones show the shops found."""
    root = site.client()
    root.login("root")
    url = f"/admin/m/demo.PetShop/{shop(site, 'S001').id}/call/richest"
    form = root.text(url)
    assert '<label for="a-limit">Limit</label>' in form
    assert '<input type="number" id="a-limit" name="limit" value="3" step="1">' in form
    assert '<option value="SUSPENDED">SUSPENDED</option>' in form
    wrong = root.post(url, data={"csrf": _csrf(form), "limit": "many", "status": ""})
    assert wrong.status_code == 422
    assert '<p class="error" id="a-limit-error">enter a whole number</p>' in wrong.text
    found = root.post(url, data={"csrf": _csrf(form), "limit": "2", "status": "OPEN"})
    assert found.status_code == 200
    titles = re.findall(r'<dd><a href="/admin/m/demo.PetShop/\d+">([^<]+)</a></dd>', found.text)
    assert titles == ["Pet shop 24", "Pet shop 21"]  # OPEN shops, by income descending
    forged = root.post(url, data={"csrf": _csrf(form), "limit": "2", "sort": "id"})
    assert forged.status_code == 400 and "takes no 'sort'" in html.unescape(forged.text)


def test_only_functions_the_roles_grant_are_offered(site: Site) -> None:
    """The clerk's role grants no function: no button, and the function's URL is not found
    (nothing runs); granted `richest`, it sees that button only."""
    clerk = site.client()
    clerk.login("clerk")
    identifier = shop(site, "S003").id
    url = f"/admin/m/demo.PetShop/{identifier}"
    page = clerk.text(url)
    assert "/call/" not in page
    answer = clerk.post(f"{url}/call/close", data={"csrf": _csrf(page), "opt_version": "0"})
    assert answer.status_code == 404
    assert clerk.get(f"{url}/call/richest").status_code == 404
    assert shop(site, "S003").status.value == "OPEN"
    role = make_role(site.app, "analyst")
    grant(site.app, role, "demo.PetShop")
    with directives.scope(), site.app.transaction():
        site.app.registry.model("base.FunctionAccess").cls(
            role=role, namespace="demo.PetShop", fun="richest").create()
    make_user(site.app, "analyst", roles=(role,))
    analyst = site.client()
    analyst.login("analyst")
    offered = re.findall(r'href="[^"]*/call/(\w+)"|action="[^"]*/call/(\w+)"',
                         analyst.text(url))
    assert offered == [("richest", "")]

