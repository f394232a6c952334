"""Sample data for the demo: owners, breeds, tags, shops with items and awards."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.modules.demo.models import (
    Award,
    PetBreed,
    PetItem,
    PetOwner,
    PetShop,
    PetTag,
    ShopStatus,
)


def load_sample_data(shops: int = 5, items_per_shop: int = 4) -> int:
    """Create sample records unless shops exist; returns how many shops were created."""
    if PetShop.count():
        return 0
    owners = PetOwner.create_batch([PetOwner(name=n, email=f"{n.lower()}@example.com")
                                    for n in ("Ann", "Bob", "Chen")])
    breeds = PetBreed.create_batch([PetBreed(name=n) for n in ("Siamese", "Beagle", "Koi")])
    tags = PetTag.create_batch([PetTag(name=n, color=c) for n, c in
                                (("cats", "orange"), ("dogs", "brown"), ("fish", "blue"))])
    statuses = list(ShopStatus)
    created = []
    for number in range(1, shops + 1):
        shop = PetShop(
            name=f"Pet shop {number}", code=f"S{number:03}", income=Decimal(number * 1000),
            rating=3 + number % 3 * 0.5, employees=number, status=statuses[number % 3],
            opened_on=dt.date(2020, 1, number % 28 + 1), opens_at=dt.time(9, 0),
            owner=owners[number % len(owners)], tags=[tags[number % 3], tags[(number + 1) % 3]],
            settings={"delivery": number % 2 == 0})
        shop.items = [PetItem(item_name=f"Item {number}.{i}", price=Decimal(f"{i}9.90"),
                              stock=i * 3, breed=breeds[i % 3].id)
                      for i in range(1, items_per_shop + 1)]
        created.append(shop.create())
    Award(title="Best shop 2025", winners=[created[0], created[-1]]).create()
    return len(created)
