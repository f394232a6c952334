"""Forged forms get a clear error and change nothing; a caller without the right to write
sees no button to and is refused by direct URL."""
from __future__ import annotations

import html
import re

import pytest

from modelry import directives
from tests.admin.conftest import AdminClient, Site, grant
from tests.admin.form_pages import field_error, form_values, shop
from tests.security.conftest import make_role, make_user


def _writer(site: Site) -> AdminClient:
    """`writer` may read, create, update and delete shops, not see their income, and update
    only the shops coded S00.."""
    role = make_role(site.app, "writer")
    grant(site.app, role, "demo.PetShop", hidden=["income"])
    with directives.scope(), site.app.transaction():
        registry = site.app.registry
        access = registry.model("base.ModelAccess").cls
        right = access.query_one(role=role, model="demo.PetShop")
        access(id=right.id, perm_create=True, perm_update=True, perm_delete=True).update_by_id()
        registry.model("base.RecordRule").cls(role=role, model="demo.PetShop",
                                              rsql="code=starts=S00", perm_read=False,
                                              perm_update=True, perm_delete=True).create()
    make_user(site.app, "writer", roles=(role,))
    client = site.client()
    client.login("writer")
    return client


def _editing_shop_2(site: Site) -> tuple[AdminClient, str, dict[str, str]]:
    """root signed in, the edit URL of shop S002 and its form as the browser would post it."""
    root = site.client()
    root.login("root")
    url = f"/admin/m/demo.PetShop/{shop(site, 'S002').id}/edit"
    return root, url, form_values(root.text(url))


def _snapshot(site: Site) -> tuple[int, list[tuple]]:
    with directives.scope(), site.app.transaction(readonly=True):
        shops = site.app.data.query_list("demo.PetShop", sort="id")
        return len(shops), [(s.name, s.income, s.closed_on, s.opt_version) for s in shops]


@pytest.mark.parametrize("csrf", [None, "forged-token-of-forty-characters-or-more-x"])
def test_a_missing_or_wrong_csrf_token_changes_nothing(site: Site, csrf: str | None) -> None:
    """Create, edit and delete refuse a form whose CSRF token is missing or not the
    cookie's, before anything runs."""
    root = site.client()
    root.login("root")
    identifier = shop(site, "S002").id
    edit = form_values(root.text(f"/admin/m/demo.PetShop/{identifier}/edit"))
    before = _snapshot(site)
    for url, form in ((f"/admin/m/demo.PetShop/{identifier}/edit", {**edit, "name": "X"}),
                      ("/admin/m/demo.PetShop/new", {"name": "X"}),
                      (f"/admin/m/demo.PetShop/{identifier}/delete",
                       {"opt_version": edit["opt_version"]})):
        form = {k: v for k, v in form.items() if k != "csrf"}
        answer = root.post(url, data=form if csrf is None else {**form, "csrf": csrf},
                           follow_redirects=False)
        assert answer.status_code == 403 and "CSRF token is missing or stale" in answer.text
    assert _snapshot(site) == before


def test_unknown_read_only_and_system_fields_are_refused(site: Site) -> None:
    """A field the form does not write (unknown, read-only, the server's own) is refused
    with its name; a form without the record's version too."""
    root, url, form = _editing_shop_2(site)
    before = _snapshot(site)
    for extra, said in (({"nickname": "x"}, "'nickname' is no field this form writes"),
                        ({"closed_on": "2024-01-01"}, "'closed_on' is read-only here"),
                        ({"create_date": "2024-01-01"}, "'create_date' is no field"),
                        ({"id": "99"}, "'id' is no field")):
        answer = root.post(url, data={**form, **extra}, follow_redirects=False)
        assert answer.status_code == 400 and said in html.unescape(answer.text), extra
        assert "nothing was changed" in answer.text
    created = root.post("/admin/m/demo.PetShop/new", data={
        "csrf": form["csrf"], "name": "New", "closed_on": "2024-01-01"}, follow_redirects=False)
    assert created.status_code == 400 and "'closed_on' is no field" in html.unescape(
        created.text)
    unversioned = {k: v for k, v in form.items() if k != "opt_version"}
    answer = root.post(url, data=unversioned, follow_redirects=False)
    assert answer.status_code == 400 and "lacks the record's version" in html.unescape(answer.text)
    assert _snapshot(site) == before


def test_a_wrong_type_is_an_error_on_its_field(site: Site) -> None:
    """Words in a number field, a date that is none, a value outside an enum: each is an
    error on its field, the text kept, nothing written."""
    root, url, form = _editing_shop_2(site)
    before = _snapshot(site)
    answer = root.post(url, data={**form, "employees": "many", "opened_on": "soon",
                                  "status": "BANKRUPT", "owner": "Ann"},
                       follow_redirects=False)
    assert answer.status_code == 422
    assert field_error(answer.text, "employees") == "enter a whole number"
    assert field_error(answer.text, "opened_on") == "enter a date as YYYY-MM-DD"
    assert field_error(answer.text, "status") == "choose one of the listed values"
    assert field_error(answer.text, "owner").startswith("choose a record")
    assert 'value="many"' in answer.text
    assert _snapshot(site) == before


def test_a_hidden_field_or_a_record_outside_the_rules_is_not_written(site: Site) -> None:
    """The writer's form leaves out the income it may not see, and posting it is refused;
    a shop outside its update rule is not found; income stays as it was."""
    writer = _writer(site)
    mine = shop(site, "S002").id
    url = f"/admin/m/demo.PetShop/{mine}/edit"
    page = writer.text(url)
    assert 'name="income"' not in page and "Income" not in page
    form = form_values(page)
    before = _snapshot(site)
    answer = writer.post(url, data={**form, "income": "1"}, follow_redirects=False)
    assert answer.status_code == 400 and "'income' is no field" in html.unescape(answer.text)
    created = writer.post("/admin/m/demo.PetShop/new", data={
        "csrf": form["csrf"], "name": "Rich", "income": "999"}, follow_redirects=False)
    assert created.status_code == 400
    other = shop(site, "S020")
    outside = writer.post(f"/admin/m/demo.PetShop/{other.id}/edit", data={
        **form, "opt_version": str(other.opt_version), "name": "Taken"},
        follow_redirects=False)
    assert outside.status_code == 404
    gone = writer.post(f"/admin/m/demo.PetShop/{other.id}/delete", data={
        "csrf": form["csrf"], "opt_version": str(other.opt_version)}, follow_redirects=False)
    assert gone.status_code == 404
    assert _snapshot(site) == before
    assert writer.post(url, data={**form, "name": "Mine"},
                       follow_redirects=False).status_code == 303


def test_a_reader_sees_no_write_button_and_is_refused_by_url(site: Site) -> None:
    """The clerk may read shops only: no New, Edit or Delete; the forms answer 403, and a
    model it may not read answers 404."""
    clerk = site.client()
    clerk.login("clerk")
    identifier = shop(site, "S002").id
    listing = clerk.text("/admin/m/demo.PetShop")
    detail = clerk.text(f"/admin/m/demo.PetShop/{identifier}")
    assert "/new" not in listing and "/edit" not in detail and "/delete" not in detail
    csrf = re.search(r'name="csrf" value="([^"]+)"', listing).group(1)
    before = _snapshot(site)
    for url in ("/admin/m/demo.PetShop/new", f"/admin/m/demo.PetShop/{identifier}/edit",
                f"/admin/m/demo.PetShop/{identifier}/delete"):
        assert clerk.get(url).status_code == 403, url
        answer = clerk.post(url, data={"csrf": csrf, "name": "Mine", "opt_version": "0"},
                            follow_redirects=False)
        assert answer.status_code == 403 and "Not allowed" in answer.text, url
    assert clerk.post("/admin/m/demo.PetOwner/new", data={"csrf": csrf, "name": "Eve"},
                      follow_redirects=False).status_code == 404
    assert _snapshot(site) == before
    root = site.client()
    root.login("root")
    assert "/admin/m/demo.PetShop/new" in root.text("/admin/m/demo.PetShop")
