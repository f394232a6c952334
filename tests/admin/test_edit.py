"""Create, edit and delete over HTTP, written through the GraphQL built-ins as the caller:
server errors on their fields with the input kept, POST/redirect/GET, the optimistic lock
as a human message, delete behind a confirmation."""
from __future__ import annotations

import re

from modelry import directives

from tests.admin.conftest import Site, grant
from tests.admin.form_pages import field_error, form_values, shop
from tests.security.conftest import make_role, make_user


def test_create_with_a_validation_error_then_corrected(site: Site) -> None:
    """A shop without its required name is refused with the error on the name and what was
    typed kept; corrected, it is created and the browser is sent to its page."""
    root = site.client()
    root.login("root")
    page = root.text("/admin/m/demo.PetShop/new")
    assert re.search(r'<label for="f-name">Name', page) and 'maxlength="64"' in page
    owners = dict(re.findall(r'<option value="(\d+)">(\w+)</option>', page.split(
        'id="f-owner"', 1)[1].split("</select>", 1)[0]))  # the owner picker: titles, by id
    assert sorted(owners.values()) == ["Ann", "Bob", "Chen"]
    bob = next(value for value, title in owners.items() if title == "Bob")
    form = {**form_values(page), "code": "S900", "employees": "7", "opened_on": "2024-03-01",
            "status": "CLOSED", "owner": bob}
    before = site.count("demo.PetShop")
    refused = root.post("/admin/m/demo.PetShop/new", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert field_error(refused.text, "name") == "a value is required"
    kept = form_values(refused.text)
    assert (kept["code"], kept["employees"], kept["status"], kept["owner"]) == \
        ("S900", "7", "CLOSED", bob)
    assert site.count("demo.PetShop") == before

    created = root.post("/admin/m/demo.PetShop/new", data={**kept, "name": "Zoo"},
                        follow_redirects=False)
    assert created.status_code == 303
    stored = shop(site, "S900")
    assert created.headers["location"] == f"/admin/m/demo.PetShop/{stored.id}?done=created"
    detail = root.text(created.headers["location"])
    assert "Created." in detail and "<h1>Zoo</h1>" in detail and ">Bob</a>" in detail
    assert (stored.employees, stored.status.value, str(stored.opened_on)) == \
        (7, "CLOSED", "2024-03-01")
    assert site.count("demo.PetShop") == before + 1


def test_edit_writes_the_form_and_shows_a_server_error_on_its_field(site: Site) -> None:
    """The edit form holds the record's values; a code another shop uses is refused on the
    code field; a good change is saved and the version moves on."""
    root = site.client()
    root.login("root")
    old = shop(site, "S003")
    url = f"/admin/m/demo.PetShop/{old.id}/edit"
    form = form_values(root.text(url))
    assert form["name"] == "Pet shop 3" and form["opt_version"] == str(old.opt_version)
    clash = root.post(url, data={**form, "code": "S004", "name": "Renamed"},
                      follow_redirects=False)
    assert clash.status_code == 422 and field_error(clash.text, "code")
    assert form_values(clash.text)["name"] == "Renamed"
    assert shop(site, "S003").name == "Pet shop 3"

    saved = root.post(url, data={**form, "name": "Renamed", "employees": "12"},
                      follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/admin/m/demo.PetShop/{old.id}?done=saved"
    assert "Saved." in root.text(saved.headers["location"])
    new = shop(site, "S003")
    assert (new.name, new.employees, new.opt_version) == ("Renamed", 12, old.opt_version + 1)


def test_a_stale_edit_gets_the_conflict_message_and_keeps_its_input(site: Site) -> None:
    """Two sessions open one shop; the first saves; the second is told the record changed,
    keeps what it typed, is offered the current version, and wrote nothing."""
    first, second = site.client(), site.client()
    first.login("root")
    second.login("root")
    identifier = shop(site, "S005").id
    url = f"/admin/m/demo.PetShop/{identifier}/edit"
    mine, theirs = form_values(first.text(url)), form_values(second.text(url))
    assert first.post(url, data={**mine, "name": "First"},
                      follow_redirects=False).status_code == 303
    stale = second.post(url, data={**theirs, "name": "Second", "employees": "4"},
                        follow_redirects=False)
    assert stale.status_code == 409
    assert "This record was changed by someone else since you opened it" in stale.text
    assert f'href="{url}">Reload the current version</a>' in stale.text
    kept = form_values(stale.text)
    assert (kept["name"], kept["employees"]) == ("Second", "4")
    assert shop(site, "S005").name == "First"
    assert form_values(second.text(url))["name"] == "First"  # the reload


def test_delete_asks_for_confirmation_then_deletes(site: Site) -> None:
    """GET shows the confirmation and deletes nothing; the confirmed POST deletes through
    the delete built-in and lands on the list."""
    root = site.client()
    root.login("root")
    identifier = shop(site, "S006").id
    before = site.count("demo.PetShop")
    detail = root.text(f"/admin/m/demo.PetShop/{identifier}")
    assert f'href="/admin/m/demo.PetShop/{identifier}/delete">Delete</a>' in detail
    confirm = root.text(f"/admin/m/demo.PetShop/{identifier}/delete")
    assert "<h1>Delete Pet shop 6?</h1>" in confirm
    assert site.count("demo.PetShop") == before
    gone = root.post(f"/admin/m/demo.PetShop/{identifier}/delete", data=form_values(confirm),
                     follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"] == "/admin/m/demo.PetShop?done=deleted"
    assert "Deleted." in root.text(gone.headers["location"])
    assert site.count("demo.PetShop") == before - 1 and shop(site, "S006") is None
    assert root.get(f"/admin/m/demo.PetShop/{identifier}").status_code == 404


def test_a_delete_confirmed_on_a_stale_page_deletes_nothing(site: Site) -> None:
    """The shop changed after its confirmation page was opened: the delete is refused with a
    message, the page shows the current version, and confirming again deletes it."""
    first, second = site.client(), site.client()
    first.login("root")
    second.login("root")
    identifier = shop(site, "S007").id
    confirm = form_values(second.text(f"/admin/m/demo.PetShop/{identifier}/delete"))
    edit = f"/admin/m/demo.PetShop/{identifier}/edit"
    assert first.post(edit, data={**form_values(first.text(edit)), "name": "Changed"},
                      follow_redirects=False).status_code == 303
    stale = second.post(f"/admin/m/demo.PetShop/{identifier}/delete", data=confirm,
                        follow_redirects=False)
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert shop(site, "S007").name == "Changed"
    again = second.post(f"/admin/m/demo.PetShop/{identifier}/delete",
                        data=form_values(stale.text), follow_redirects=False)
    assert again.status_code == 303 and shop(site, "S007") is None


def test_a_related_record_the_caller_cannot_read_is_kept(site: Site) -> None:
    """A stocker may edit items but read only the shops coded S00..: an item of shop S020
    offers that shop by id, and saving the item leaves its shop as it was."""
    role = make_role(site.app, "stocker")
    grant(site.app, role, "demo.PetShop", rsql="code=starts=S00")
    grant(site.app, role, "demo.PetItem")
    with directives.scope(), site.app.transaction():
        access = site.app.registry.model("base.ModelAccess").cls
        right = access.query_one(role=role, model="demo.PetItem")
        access(id=right.id, perm_update=True).update_by_id()
        far = shop(site, "S020").id
        item = site.app.data.query_list("demo.PetItem", filters={"shop": far})[0]
    make_user(site.app, "stocker", roles=(role,))
    stocker = site.client()
    stocker.login("stocker")
    url = f"/admin/m/demo.PetItem/{item.id}/edit"
    page = stocker.text(url)
    assert f'<option value="{far}" selected>#{far}</option>' in page
    assert "Pet shop 20" not in page
    form = form_values(page)
    saved = stocker.post(url, data={**form, "item_name": "Renamed"}, follow_redirects=False)
    assert saved.status_code == 303
    with directives.scope(), site.app.transaction(readonly=True):
        kept = site.app.data.query_by_id("demo.PetItem", item.id)
    assert (kept.item_name, kept.shop_id) == ("Renamed", far)
