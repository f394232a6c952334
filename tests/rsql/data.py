"""The rows every RSQL test reads (inserted once per database)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

CITIES = [{"id": 1, "name": "Paris"}, {"id": 2, "name": "Lyon"}]
OWNERS = [
    {"id": 1, "name": "Alice", "city_id": 1},
    {"id": 2, "name": "Bob", "city_id": 2},
    {"id": 3, "name": "Carol"},
]
TAGS = [
    {"id": 1, "name": "red", "color": "warm"},
    {"id": 2, "name": "blue", "color": "cold"},
    {"id": 3, "name": "green"},
]
SHOPS = [
    {"id": 1, "name": "Kitty corner", "code": "K-1", "description": "cats and kittens",
     "rank": 1, "visits": 10_000_000_000, "rating": 4.5, "income": Decimal("100.5"),
     "cost": Decimal("100.5"), "ratio": Decimal("0.25"), "active": True,
     "opened": dt.date(2024, 1, 15), "updated_at": dt.datetime(2024, 1, 15, 10, 30),
     "opens_at": dt.time(9, 0), "status": "open", "level": 1, "payload": {"a": 1},
     "blob": b"\x00\x01", "owner_id": 1},
    {"id": 2, "name": "Dog house", "code": "D_2", "description": "dogs 100% happy",
     "rank": 2, "visits": 5, "rating": 3.0, "income": Decimal("2000"), "cost": Decimal("1500"),
     "ratio": Decimal("1.5"), "active": False, "opened": dt.date(2023, 6, 1),
     "updated_at": dt.datetime(2023, 6, 1, 8, 0), "opens_at": dt.time(10, 30),
     "status": "closed", "level": 3, "owner_id": 2, "parent_id": 1},
    {"id": 3, "name": "Fish & co", "code": "F%3", "cost": Decimal("5"), "payload": [1, 2],
     "owner_id": 3, "parent_id": 2},
    {"id": 4, "name": "Bird/Cage_50%", "code": "B\\4", "description": "birds_and_cages",
     "rank": 4, "visits": 0, "rating": -1.25, "income": Decimal("-10"), "cost": Decimal("-10"),
     "ratio": Decimal("0"), "active": True, "opened": dt.date(2024, 2, 29),
     "updated_at": dt.datetime(2024, 2, 29, 23, 59, 59, 500000),
     "opens_at": dt.time(23, 15, 30), "status": "paused", "level": 2, "parent_id": 1},
    {"id": 5, "code": 'it\'s "quoted"', "description": "star * and question ?", "rank": 5,
     "visits": 7, "rating": 0.0, "income": Decimal("0.0001"), "active": False,
     "opened": dt.date(2024, 1, 15), "updated_at": dt.datetime(2024, 1, 15, 10, 30),
     "status": "open", "level": 1, "owner_id": 1},
]
ITEMS = [
    {"id": 1, "item_name": "collar", "price": Decimal("10"), "shop_id": 1},
    {"id": 2, "item_name": "bowl", "price": Decimal("5"), "shop_id": 1},
    {"id": 3, "item_name": "leash", "price": Decimal("20"), "shop_id": 2},
    {"id": 4, "item_name": "tank", "shop_id": 3},
    {"id": 5, "item_name": "orphan", "price": Decimal("1")},
]
SHOP_TAGS = [(1, 1), (1, 2), (2, 1), (4, 3), (5, 2)]     # (shop, tag)
ITEM_LABELS = [(1, 1), (3, 2), (3, 3)]                    # (item, tag)

ALL_SHOPS = [1, 2, 3, 4, 5]
