"""Relation pickers over HTTP: a many-to-one's select and its typeahead, a many-to-many's
choices, each read through queryPage as the caller (its record and field rules apply)."""
from __future__ import annotations

import re

from modelry import directives
from tests.admin.conftest import Site
from tests.admin.form_pages import form_values, shop


def _titles(answer: dict) -> list[str]:
    return [option["title"] for option in answer["options"]]


def test_a_many_to_one_offers_its_first_records_and_a_typeahead(site: Site) -> None:
    """An item's shop is a select of the shops by name, enhanced with a typeahead that
    searches the shops' title and search fields (or an id); past 50 shops the select lists
    the first 50 and the chosen one, and typing finds the others."""
    root = site.client()
    root.login("root")
    page = root.text("/admin/m/demo.PetItem/new")
    assert '<select id="f-shop" name="shop" data-pick="/admin/m/demo.PetItem/pick/shop">' in page
    assert len(re.findall(r"<option value=\"\d+\">Pet shop", page)) == 25
    with directives.scope(), site.app.transaction():
        shops = site.app.registry.model("demo.PetShop").cls
        shops.create_batch([shops(name=f"More {n}", code=f"M{n:02}") for n in range(40)])
    found = root.get("/admin/m/demo.PetItem/pick/shop", params={"q": "more 3"}).json()
    assert _titles(found) == ["More 3"] + [f"More {n}" for n in range(30, 40)]
    assert _titles(root.get("/admin/m/demo.PetItem/pick/shop",
                            params={"q": "M07"}).json()) == ["More 7"]  # by code
    by_id = shop(site, "M39").id  # no name or code holds its digits: found by id
    assert _titles(root.get("/admin/m/demo.PetItem/pick/shop",
                            params={"q": str(by_id)}).json()) == ["More 39"]
    assert len(root.get("/admin/m/demo.PetItem/pick/shop").json()["options"]) == 20

    far = shop(site, "S009").id  # "Pet shop 9" sorts after the first 50 names
    with directives.scope(), site.app.transaction():
        item = site.app.data.query_list("demo.PetItem", filters={"shop": far})[0]
    edit = root.text(f"/admin/m/demo.PetItem/{item.id}/edit")
    listed = edit.split('id="f-shop"', 1)[1].split("</select>", 1)[0]
    assert len(re.findall(r"<option value=\"\d+\"", listed)) == 51
    assert f'<option value="{far}" selected>Pet shop 9</option>' in listed


def test_the_typeahead_reads_as_the_caller(site: Site) -> None:
    """The clerk reads only the shops coded S00..: its typeahead finds only those; a field
    that is no relation, or a model it may not read, finds nothing (404)."""
    clerk = site.client()
    clerk.login("clerk")
    found = clerk.get("/admin/m/demo.PetItem/pick/shop", params={"q": "Pet shop 2"}).json()
    assert _titles(found) == ["Pet shop 2"]  # not 20..25
    assert clerk.get("/admin/m/demo.PetItem/pick/item_name").status_code == 404
    assert clerk.get("/admin/m/demo.PetShop/pick/nothing").status_code == 404
    assert clerk.get("/admin/m/demo.PetOwner/pick/shops").status_code == 404
    anonymous = site.client().get("/admin/m/demo.PetItem/pick/shop", follow_redirects=False)
    assert anonymous.status_code == 303


def test_many_to_many_choices_are_added_and_removed(site: Site) -> None:
    """A shop's tags are a multiple select (chips once enhanced): the form posts every chosen
    tag; adding one and removing another rewrites the links; a form that leaves them
    unchanged, or does not send them at all, keeps them."""
    root = site.client()
    root.login("root")
    identifier = shop(site, "S001").id
    url = f"/admin/m/demo.PetShop/{identifier}/edit"
    page = root.text(url)
    assert re.search(r'<select multiple id="f-tags" name="tags" data-pick="[^"]+/pick/tags"',
                     page)
    form = form_values(page)
    assert form["tags"][0] == ""  # the marker: an empty choice still sends the name
    tags = {title: value for value, title in re.findall(
        r'<option value="(\d+)"(?: selected)?>(\w+)</option>',
        page.split('id="f-tags"', 1)[1].split("</select>", 1)[0])}
    assert _linked(site, identifier) == ["dogs", "fish"]
    answer = root.post(url, data={**form, "tags": ["", tags["cats"], tags["dogs"]]},
                       follow_redirects=False)
    assert answer.status_code == 303
    assert _linked(site, identifier) == ["cats", "dogs"]
    detail = root.text(answer.headers["location"])
    assert ">cats</a>" in detail and ">fish</a>" not in detail

    again = form_values(root.text(url))
    assert sorted(again["tags"][1:]) == sorted([tags["cats"], tags["dogs"]])
    root.post(url, data={**again, "name": "Renamed"}, follow_redirects=False)
    without = {k: v for k, v in form_values(root.text(url)).items() if k != "tags"}
    assert root.post(url, data={**without, "name": "Again"},
                     follow_redirects=False).status_code == 303
    assert _linked(site, identifier) == ["cats", "dogs"] and shop(site, "S001").name == "Again"
    bad = root.post(url, data={**form_values(root.text(url)), "tags": ["", "cats"]},
                    follow_redirects=False)
    assert bad.status_code == 422 and "choose records" in bad.text
    new = form_values(root.text("/admin/m/demo.PetShop/new"))
    created = root.post("/admin/m/demo.PetShop/new", data={
        **new, "name": "Tagged", "code": "T1", "tags": ["", tags["fish"]]},
        follow_redirects=False)
    assert created.status_code == 303 and _linked(site, shop(site, "T1").id) == ["fish"]


def _linked(site: Site, identifier: int) -> list[str]:
    with directives.scope(), site.app.transaction(readonly=True):
        record = site.app.data.query_by_id("demo.PetShop", identifier)
        return sorted(tag.name for tag in record.tags)
