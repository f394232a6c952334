"""The menu, list and detail screens over HTTP, read through the same functions as GraphQL:
rights, record rules and field rules decide what each caller sees."""
from __future__ import annotations

import re

from modelry import directives
from tests.admin.conftest import Site, cells, headers_of


def test_menu_shows_only_what_the_roles_grant(site: Site) -> None:
    """The clerk's menu lists shops and items only; other models are not found, also by
    direct URL. An admin's menu lists every module's models."""
    clerk = site.client()
    clerk.login("clerk")
    home = clerk.text("/admin")
    menu = set(re.findall(r'href="/admin/m/([\w.]+)"', home))
    assert menu == {"demo.PetItem", "demo.PetShop"}
    for url in ("/admin/m/demo.PetOwner", "/admin/m/base.User", "/admin/m/base.User/1",
                "/admin/m/nothing.Here"):
        answer = clerk.get(url)
        assert answer.status_code == 404, url
        assert "Ann" not in answer.text and "root" not in answer.text.replace(
            "clerk", "")
    root = site.client()
    root.login("root")
    menu = set(re.findall(r'href="/admin/m/([\w.]+)"', root.text("/admin")))
    assert {"demo.PetOwner", "demo.PetShop", "base.User", "base.Role"} <= menu


def test_list_pages_sorts_and_searches_with_the_state_in_the_url(site: Site) -> None:
    """Paging, sorting on whitelisted columns and the quick search come from the URL, and
    the links of a page keep them."""
    root = site.client()
    root.login("root")
    first = root.text("/admin/m/demo.PetShop")
    assert headers_of(first) == ["Name", "Code", "Status", "Income", "Owner", "Opened on"]
    assert [row[0] for row in cells(first)][:3] == ["Pet shop 1", "Pet shop 10", "Pet shop 11"]
    assert "25 records" in first and "Page 1 of 2" in first

    page = root.text("/admin/m/demo.PetShop?sort=-income&size=10&page=3")
    assert [row[0] for row in cells(page)] == [f"Pet shop {n}" for n in range(5, 0, -1)]
    assert "Page 3 of 3" in page
    assert 'href="/admin/m/demo.PetShop?sort=-income&amp;size=10&amp;page=2"' in page

    unlisted = root.text("/admin/m/demo.PetShop?sort=-description&page=x&size=0")
    assert cells(unlisted)[0][0] == "Pet shop 1"  # default sort, page and size

    found = root.text("/admin/m/demo.PetShop?q=shop+2&sort=-name")
    assert [row[0] for row in cells(found)] == [f"Pet shop {n}" for n in
                                                (25, 24, 23, 22, 21, 20, 2)]
    assert "7 records matching" in found
    assert 'href="/admin/m/demo.PetShop?q=shop+2"' in found  # sorting by name keeps q
    assert 'name="sort" value="-name"' in found  # the search form keeps the sort
    by_code = root.text("/admin/m/demo.PetShop?q=S017")
    assert [row[0] for row in cells(by_code)] == ["Pet shop 17"]


def test_htmx_asks_for_the_table_only(site: Site) -> None:
    """An htmx request targeting the list gets the list fragment; the same URL without htmx
    gets the whole page (it works without JavaScript)."""
    root = site.client()
    root.login("root")
    url = "/admin/m/demo.PetShop?sort=-name"
    fragment = root.text(url, **{"HX-Request": "true", "HX-Target": "list"})
    assert fragment.lstrip().startswith('<div id="list"') and "<html" not in fragment
    assert cells(fragment)[0][0] == "Pet shop 9"
    assert "<html" in root.text(url)


def test_hidden_fields_and_record_rules_apply(site: Site) -> None:
    """The clerk's field rule hides income from the list (column, sort) and the detail; its
    record rule limits the list and the details to the shops coded S00.."""
    clerk = site.client()
    clerk.login("clerk")
    page = clerk.text("/admin/m/demo.PetShop?sort=-income")
    assert "Income" not in headers_of(page)
    assert "9 records" in page and cells(page)[0][0] == "Pet shop 1"  # sort ignored
    assert "1000" not in page
    assert "sort=income" not in page and "sort=-income" not in page
    detail = clerk.text(f"/admin/m/demo.PetShop/{_shop_id(site, 'S001')}")
    assert "Pet shop 1" in detail and ">Income<" not in detail and "1000.00" not in detail
    hidden_record = clerk.get(f"/admin/m/demo.PetShop/{_shop_id(site, 'S020')}")
    assert hidden_record.status_code == 404 and "Pet shop 20" not in hidden_record.text
    root = site.client()
    root.login("root")
    assert ">Income<" in root.text(f"/admin/m/demo.PetShop/{_shop_id(site, 'S001')}")


def test_detail_shows_every_visible_field_and_its_relations(site: Site) -> None:
    """A record's detail: its title, values, the owner linked by title, its tags; the
    password of a user (write-only) is never shown."""
    root = site.client()
    root.login("root")
    shop_id = _shop_id(site, "S003")
    detail = root.text(f"/admin/m/demo.PetShop/{shop_id}")
    assert "<h1>Pet shop 3</h1>" in detail
    assert re.search(r'<a href="/admin/m/demo.PetOwner/\d+">Ann</a>', detail)
    assert ">cats</a>" in detail and ">dogs</a>" in detail and "S003" in detail
    user = root.text(f"/admin/m/base.User/{site.admin_id}")
    assert ">root<" in user and "<dt>Password</dt>" not in user and "scrypt$" not in user
    assert root.get("/admin/m/demo.PetShop/999999").status_code == 404


def test_pages_load_only_their_own_origin(site: Site) -> None:
    """Every script and style sheet is a versioned path on the server, served from the
    package; the policy allows nothing else."""
    root = site.client()
    page = root.get("/admin/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assets = [url for url in urls if "/static/" in url]
    assert len(assets) == 3 and all(url.startswith("/admin/static/") for url in assets)
    for url in assets:
        answer = root.get(url)
        assert answer.status_code == 200 and "immutable" in answer.headers["cache-control"]
    assert root.get("/admin/static/0123456789abcdef/htmx.min.js").status_code == 404
    assert not [url for url in urls if url.startswith(("http:", "https:", "//"))]


def test_detail_names_the_first_records_of_a_long_relation(site: Site) -> None:
    """A to-many relation shows its first 20 records and says there are more; only 21 are
    read, however many the record has."""
    shop_id = _shop_id(site, "S004")
    with directives.scope(), site.app.transaction():
        item = site.app.registry.model("demo.PetItem").cls
        item.create_batch([item(item_name=f"Extra {n:02}", shop=shop_id) for n in range(30)])
    root = site.client()
    root.login("root")
    detail = root.text(f"/admin/m/demo.PetShop/{shop_id}")
    assert len(re.findall(r'href="/admin/m/demo.PetItem/\d+"', detail)) == 20
    assert "… and more" in detail and "Extra 17" in detail and "Extra 18" not in detail


def _shop_id(site: Site, code: str) -> int:
    with directives.scope(), site.app.transaction(readonly=True):
        return site.app.data.query_one("demo.PetShop", filters={"code": code}).id
