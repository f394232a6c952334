"""UI hints: declared ones checked against the model's fields, defaults derived from the
fields when a module declares none; the vendored htmx is the pinned npm copy."""
from __future__ import annotations

import hashlib
import html
import re

import pytest

from modelry.admin.hints import ATTRIBUTE, Hints, hints, hints_for
from modelry.admin.pages import STATIC, model_label
from modelry.boot import App
from modelry.errors import DeclarationError
from tests.admin.conftest import Site
from tests.admin.form_pages import form_values, shop


def test_declared_hints_are_used(app: App) -> None:
    """demo.PetShop declares its hints: title, columns, search, sort; sortable adds to id,
    the audit dates and the indexed or unique fields."""
    shop = hints_for(app.registry.model("demo.PetShop"))
    assert (shop.title, shop.search, shop.sort) == ("name", ("name", "code"), "name")
    assert shop.columns == ("name", "code", "status", "income", "owner", "opened_on")
    assert shop.sortable == {"id", "create_date", "write_date", "name", "code", "status",
                             "income", "opened_on"}
    assert shop.filters == ("name", "code", "status", "income", "owner", "opened_on")


def test_defaults_come_from_the_fields(app: App) -> None:
    """Without hints: a `name`-like string titles a record, the first fields are listed
    (no write-only ones), unique strings are searched, records sort by id."""
    owner = hints_for(app.registry.model("demo.PetOwner"))
    assert (owner.title, owner.columns, owner.search, owner.sort, owner.page_size) == (
        "name", ("id", "name", "email"), ("name", "email"), "id", 20)
    item = hints_for(app.registry.model("demo.PetItem"))
    assert item.title == "item_name"  # the first required string
    assert item.columns == ("id", "item_name", "price", "stock", "shop", "breed")
    user = hints_for(app.registry.model("base.User"))
    assert user.title == "name" and "password" not in user.columns


@pytest.mark.parametrize("declared", [Hints(columns=("name", "nothing")),
                                      Hints(sort="-nothing"), Hints(page_size=0),
                                      Hints(filters=("shops",)),
                                      Hints(sections=(("Main", ("nothing",)),))])
def test_a_wrong_hint_is_a_declaration_error(app: App, declared: Hints,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A hint naming no field of the model, or an impossible page size, is refused with an
    error naming the model."""
    meta = app.registry.model("demo.PetTag")
    monkeypatch.setattr(meta.cls, ATTRIBUTE, declared, raising=False)
    with pytest.raises(DeclarationError, match="demo.PetTag"):
        hints_for(meta)


def test_vendored_htmx_is_the_pinned_npm_copy() -> None:
    """htmx.min.js has the size and sha256 VERSIONS records (scripts/vendor_htmx.sh writes
    both), and its licence lies next to it."""
    lines = (STATIC / "VERSIONS").read_text().splitlines()
    [(package, name, size, sha256)] = [line.split() for line in lines
                                       if line and not line.startswith("#")]
    body = (STATIC / name).read_bytes()
    assert package == "htmx.org@1.9.12"
    assert (len(body), hashlib.sha256(body).hexdigest()) == (int(size), sha256)
    assert "Zero-Clause BSD" in (STATIC / "LICENSE.htmx").read_text()


def test_form_sections_and_read_only_hints_shape_the_forms(site: Site,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """`form_sections` groups a shop's inputs under their legends (the rest under "More");
    `read_only` shows the code disabled on edit, leaves it out on create, and a posted code
    is refused as read-only."""
    meta = site.app.registry.model("demo.PetShop")
    monkeypatch.setattr(meta.cls, ATTRIBUTE, hints(
        title="name", form_sections=[("Shop", ["name", "code"]), ("Money", ["income",
                                                                            "tax_rate"])],
        read_only=["code"])(type("Tagged", (), {})).__admin_hints__)
    root = site.client()
    root.login("root")
    url = f"/admin/m/demo.PetShop/{shop(site, 'S002').id}/edit"
    page = root.text(url)
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends == ["Shop", "Money", "More"]
    first = page.split("<legend>Shop</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'<label for="f-(\w+)">', first) == ["name", "code"]
    assert '<input type="text" id="f-code" disabled' in first
    assert 'id="f-code"' not in root.text("/admin/m/demo.PetShop/new")
    form = form_values(page)
    refused = root.post(url, data={**form, "code": "X1"}, follow_redirects=False)
    assert refused.status_code == 400 and "read-only here" in html.unescape(refused.text)
    saved = root.post(url, data={**form, "name": "Hinted"}, follow_redirects=False)
    assert saved.status_code == 303 and shop(site, "S002").name == "Hinted"


def test_a_model_without_a_display_name_is_named_in_words(app: App) -> None:
    """The registry names an undeclared model by its class name; screens say it in words,
    and keep a declared display name as it is."""
    assert model_label(app.registry.model("demo.PetItem")) == "Pet item"
    assert model_label(app.registry.model("demo.ShopAward")) == "Shop award"
    assert model_label(app.registry.model("demo.PetShop")) == "Pet shop"
