"""Typed list filters over HTTP: text, number and date ranges, enum and relation, composed
into one RSQL filter read through queryPage as the caller; the state lives in the URL, the
form works without JavaScript, and a filter on a hidden field is refused."""
from __future__ import annotations

import html
import re

from tests.admin.conftest import Site, cells
from tests.admin.form_pages import shop


def _names(page: str) -> list[str]:
    return [row[0] for row in cells(page)]


def test_filters_compose_and_keep_their_state_in_the_url(site: Site) -> None:
    """Status, an income range, an opening-date range, an owner and a code fragment narrow
    the list together; sort and page links keep them; blank inputs leave the URL."""
    root = site.client()
    root.login("root")
    first = root.text("/admin/m/demo.PetShop")
    form = first.split('<form class="search"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in first.split('<form class="search"', 1)[1][:80]  # no JS needed
    for label, target in (("Status", "filter-status"), ("Income from", "filter-income-from"),
                          ("Income to", "filter-income-to"), ("Owner", "filter-owner"),
                          ("Opened on from", "filter-opened_on-from"), ("Code", "filter-code")):
        assert f'<label for="{target}"' in form and f">{label}</label>" in form, label
    assert 'type="date"' in form and 'type="number"' in form
    assert '<option value="SUSPENDED">SUSPENDED</option>' in form

    closed = root.text("/admin/m/demo.PetShop?f.status=CLOSED&f.income.from=5000"
                       "&f.income.to=12000")
    assert _names(closed) == ["Pet shop 10", "Pet shop 7"] and "2 records" in closed
    assert '<option value="CLOSED" selected>' in closed and 'value="5000"' in closed
    assert 'href="/admin/m/demo.PetShop?f.status=CLOSED&amp;f.income.from=5000&amp;' \
        'f.income.to=12000&amp;sort=-name"' in closed  # sorting keeps the filters

    ann = shop(site, "S021").owner_id
    dated = root.text(f"/admin/m/demo.PetShop?f.opened_on.from=2020-01-20"
                      f"&f.opened_on.to=2020-01-22&f.owner={ann}")
    assert _names(dated) == ["Pet shop 21"]
    assert f'<option value="{ann}" selected>Ann</option>' in dated
    coded = root.text("/admin/m/demo.PetShop?f.code=S01&sort=-code&size=4&page=2")
    assert _names(coded) == ["Pet shop 15", "Pet shop 14", "Pet shop 13", "Pet shop 12"]
    assert "10 records" in coded and "Page 2 of 3" in coded
    assert 'href="/admin/m/demo.PetShop?f.code=S01&amp;sort=-code&amp;size=4&amp;page=3"' \
        in coded

    blank = root.get("/admin/m/demo.PetShop?q=&f.code=&f.status=OPEN&f.income.from=",
                     follow_redirects=False)
    assert (blank.status_code, blank.headers["location"]) == (
        303, "/admin/m/demo.PetShop?f.status=OPEN")
    swapped = root.get("/admin/m/demo.PetShop?q=&f.status=OPEN",
                       headers={"HX-Request": "true", "HX-Target": "list"})
    assert swapped.headers["hx-push-url"] == "/admin/m/demo.PetShop?f.status=OPEN"
    assert len(cells(swapped.text)) == 8


def test_a_wrong_value_is_an_error_on_its_filter(site: Site) -> None:
    """Words in a number range, a date that is none, a value outside the enum: the list is
    not read and each filter says what is wrong, keeping what was typed."""
    root = site.client()
    root.login("root")
    answer = root.get("/admin/m/demo.PetShop?f.income.from=lots&f.opened_on.to=soon"
                      "&f.status=BANKRUPT&f.code=S0")
    assert answer.status_code == 400
    errors = dict(re.findall(r'<p class="error" id="filter-([\w]+)-error">([^<]+)</p>',
                             answer.text))
    assert errors == {"income": "enter a number", "opened_on": "enter a date as YYYY-MM-DD",
                      "status": "choose one of the listed values"}
    assert 'value="lots"' in answer.text and "<tbody>" not in answer.text
    assert "A filter's value is wrong" in answer.text
    reversed_range = root.get("/admin/m/demo.PetShop?f.income.from=9000&f.income.to=2000")
    assert reversed_range.status_code == 400
    assert "the first bound is above the second" in reversed_range.text


def test_a_filter_on_a_hidden_field_is_refused(site: Site) -> None:
    """The clerk may not see income: it has no income filter, and a forged one is refused
    as a filter the list does not have (as an unknown one is), nothing read."""
    clerk = site.client()
    clerk.login("clerk")
    page = clerk.text("/admin/m/demo.PetShop")
    assert "filter-income" not in page and 'name="f.status"' in page
    for forged, named in (("f.income.from=1", "f.income.from"), ("f.income=1000", "f.income"),
                          ("f.nothing=1", "f.nothing"), ("f.status.from=OPEN", "f.status.from")):
        answer = clerk.get(f"/admin/m/demo.PetShop?{forged}")
        assert answer.status_code == 400, forged
        assert f"demo.PetShop: the list has no filter {named!r}" in html.unescape(answer.text)
        assert "Pet shop" not in answer.text
    items = clerk.text("/admin/m/demo.PetItem")  # it reads shops, not breeds
    assert 'name="f.shop"' in items and 'name="f.breed"' not in items
    allowed = clerk.text("/admin/m/demo.PetShop?f.status=OPEN")
    assert _names(allowed) == ["Pet shop 3", "Pet shop 6", "Pet shop 9"]  # its rule: S00..
