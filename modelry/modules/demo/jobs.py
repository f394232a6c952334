"""Background work in the demo: an async function and a schedule that queues it.

    mutation { shopServiceMutation { restock(shop: {id: "1"}, quantity: 5) } }

returns at once; a worker (in `modelry serve`, or `modelry worker`) restocks the shop.
"""
from __future__ import annotations

import datetime as dt

from modelry import function, schedule
from modelry.modules.demo.models import PetItem, PetShop

SHOPS = "demo.ShopService"


@function(open_level="API", namespace=SHOPS, async_=True, max_attempts=5, backoff=2.0)
def restock(shop: PetShop, quantity: int = 5) -> None:
    """Add `quantity` to the stock of every item of `shop`, in the background."""
    items = PetItem.query_list(shop=shop.id)
    for item in items:
        item.stock = (item.stock or 0) + quantity
    PetItem.update_batch(items)


@schedule("0 3 * * *")
@function(namespace=SHOPS)
def restock_empty_shelves(due: dt.datetime) -> None:
    """Every night at 03:00 UTC: queue a restock of each shop with an item out of stock."""
    for shop_id in sorted({item.shop_id for item in PetItem.query_list(stock=0)
                           if item.shop_id is not None}):
        restock(PetShop(id=shop_id))
