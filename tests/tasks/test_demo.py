"""The demo's background work: `restock` (async, queued by a GraphQL client) and the nightly
`restockEmptyShelves` schedule, which queues a restock per shop out of stock."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from modelry import TaskState
from modelry.boot import App
from modelry.core.tasks.contract import utcnow
from modelry.core.tasks.scheduler import Scheduler
from modelry.modules.demo.models import PetItem, PetShop
from modelry.modules.demo.sample import load_sample_data
from tests.functions.helpers import Client
from tests.tasks.helpers import run_all, tasks


def stock(app: App) -> dict[str, int]:
    with app.transaction(readonly=True):
        return {item.item_name: item.stock for item in PetItem.query_list(sort="id")}


def test_a_client_queues_a_restock_and_a_worker_does_it(app: App) -> None:
    with app.transaction():
        load_sample_data(shops=2, items_per_shop=2)
        shop = PetShop.query_one(code="S001")
    before = stock(app)
    answer = Client(app).gql('mutation($id: Long!) { shopServiceMutation { '
                             'restock(shop: {id: $id}, quantity: 5) } }', {"id": str(shop.id)})
    assert answer.ok() == {"shopServiceMutation": {"restock": True}}
    assert stock(app) == before  # queued, not done
    run_all(app.tasks.worker())
    assert stock(app) == {name: count + (5 if name.startswith("Item 1.") else 0)
                          for name, count in before.items()}


def test_the_nightly_schedule_restocks_empty_shelves(app: App) -> None:
    with app.transaction():
        load_sample_data(shops=2, items_per_shop=2)
        empty = PetItem.query_one(item_name="Item 2.1")
        empty.stock = 0
        empty.update_by_id()
    scheduler = Scheduler(app)
    scheduler.tick()  # first seen now: nothing due
    table = app.data.table(app.registry.model("base.Schedule"))
    with app.engine.begin() as connection:  # as if first seen two days ago
        connection.execute(sa.update(table).values(
            create_date=utcnow() - dt.timedelta(days=2)))
    assert Scheduler(app).tick() == 1  # the latest 03:00 only (no catch-up)
    run_all(app.tasks.worker())
    assert stock(app)["Item 2.1"] == 5
    assert sorted(t.fun for t in tasks(app)) == ["restock", "restockEmptyShelves"]
    assert all(t.state is TaskState.DONE for t in tasks(app))


def test_the_demo_schema_introspects_with_the_async_functions_arguments(app: App) -> None:
    answer = Client(app).gql('{ __type(name: "ShopServiceMutation") { fields { name '
                             'args { name defaultValue type { kind } } } } }')
    (restock,) = answer.ok()["__type"]["fields"]
    assert restock["name"] == "restock"
    assert [(a["name"], a["defaultValue"], a["type"]["kind"]) for a in restock["args"]] == \
        [("shop", None, "NON_NULL"), ("quantity", "null", "SCALAR")]
