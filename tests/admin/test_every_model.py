"""Every model of the demo and account modules lists and shows its records to an admin,
whatever its field types; a list costs the same statements for 5 rows as for 50."""
from __future__ import annotations

import re
from collections.abc import Callable

from modelry.boot import App
from modelry.modules.demo.sample import load_sample_data
from tests import sql_capture
from tests.admin.conftest import AdminClient, cells, every_model_client
from tests.security.conftest import make_user


def test_every_model_lists_and_shows_its_records(make_app: Callable[..., App]) -> None:
    """Each menu entry's list answers 200 with a table, and its first record's detail 200."""
    client, menu = every_model_client(make_app)
    assert {"account.Account", "account.Transfer", "demo.PetShop", "base.User"} <= set(menu)
    shown = 0
    for code in menu:
        page = client.text(f"/admin/m/{code}")
        first = re.search(rf'<td><a href="/admin/m/{re.escape(code)}/(\d+)">', page)
        if first:
            detail = client.text(f"/admin/m/{code}/{first.group(1)}")
            assert '<dl class="record">' in detail, code
            shown += 1
    assert shown >= 10


def test_a_list_costs_the_same_statements_for_any_page_size(
        make_app: Callable[..., App]) -> None:
    """Rows with a ManyToOne (the owner) cost no statement each: the related titles are
    read for the whole page at once."""
    app = make_app(["demo"], grant_anonymous=False)
    with app.transaction():
        load_sample_data(shops=50, items_per_shop=1)
    make_user(app, "root", admin=True)
    client = AdminClient(app.asgi, base_url="http://testserver")
    client.login("root")
    client.text("/admin/m/demo.PetShop")  # whatever signing in caches, both pages find it
    counts = []
    for size in (5, 50):
        with sql_capture.statements(app.engine) as seen:
            page = client.text(f"/admin/m/demo.PetShop?size={size}")
        assert len(cells(page)) == size and all(row[4] for row in cells(page))  # owners
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
