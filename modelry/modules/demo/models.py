"""Demo models: a shop has items (OneToMany), tags (ManyToMany), an owner (ManyToOne)."""
from __future__ import annotations

import datetime as dt
import enum

from modelry import (Model, OptimisticLockError, RecordNotFound, action, fields, function,
                     messages)
from modelry.admin import hints


class ShopStatus(enum.Enum):
    """Whether a shop trades."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"
    SUSPENDED = "SUSPENDED"


class Named(Model, model="demo.Named", kind="abstract"):
    """Abstract: a name and a description, shared by shops and tags."""

    name = fields.String(required=True, size=64, display_name="Name")
    description = fields.Text()


class PetOwner(Model, model="demo.PetOwner"):
    """A person who owns shops."""

    name = fields.String(required=True, size=64)
    email = fields.String(size=128, unique=True)
    shops = fields.OneToMany("demo.PetShop", inverse="owner")


@hints(title="name", columns=("name", "code", "status", "income", "owner", "opened_on"),
       search=("name", "code"), sort="name", sortable=("income", "opened_on"))
class PetShop(Named, model="demo.PetShop", optimistic_lock=True, display_name="Pet shop"):
    """A shop: every scalar field type and all three relation kinds."""

    code = fields.String(size=32, unique=True)
    income = fields.Money(default=0)
    rating = fields.Float()
    employees = fields.Integer(default=1)
    visits = fields.BigInteger(default=0)
    tax_rate = fields.Decimal(precision=6, scale=4)
    is_open = fields.Boolean(default=True)
    opened_on = fields.Date()
    last_visit = fields.DateTime()
    opens_at = fields.Time()
    status = fields.Enum(ShopStatus, default=ShopStatus.OPEN, index=True)
    closed_on = fields.Date(readonly=True, help="Set by the close action; clients cannot write it")
    settings = fields.Json()
    logo = fields.Binary()
    owner = fields.ManyToOne("demo.PetOwner", on_delete="SET NULL")
    items = fields.OneToMany("demo.PetItem", inverse="shop")
    tags = fields.ManyToMany("demo.PetTag")

    @action()
    def close(self) -> PetShop:
        """Close the shop (a server action: the client sends id and optVersion).

        Writes what closing means and nothing else the client may have sent.
        """
        closing = PetShop(id=self.id, opt_version=self.opt_version, status=ShopStatus.CLOSED,
                          closed_on=dt.date.today())
        if not closing.update_by_id():  # 0 rows: the shop is gone, or the version is stale
            if PetShop.query_by_id(self.id) is None:
                raise RecordNotFound(f"demo.PetShop: no shop with id {self.id}",
                                     model="demo.PetShop", field="id")
            raise OptimisticLockError(f"demo.PetShop: shop {self.id} was changed since you "
                                      "read it (your optVersion is stale); reload and retry",
                                      model="demo.PetShop", stale_ids=[self.id])
        closed = PetShop.query_by_id(self.id)
        messages.success(f"shop {closed.name} is closed", model="demo.PetShop")
        return closed

    @function(open_level="API", type="QUERY")
    @classmethod
    def richest(cls, limit: int = 3, status: ShopStatus | None = None) -> list[PetShop]:
        """The shops with the highest income."""
        filters = {"status": status} if status is not None else {}
        return cls.query_list(sort="-income", limit=limit, **filters)


class PetItem(Model, model="demo.PetItem"):
    """Something a shop sells; deleted with its shop."""

    item_name = fields.String(required=True, size=64)
    price = fields.Money()
    stock = fields.Integer(default=0)
    shop = fields.ManyToOne("demo.PetShop", on_delete="CASCADE")
    breed = fields.ManyToOne("demo.PetBreed", on_delete="RESTRICT")


class PetBreed(Model, model="demo.PetBreed"):
    """A breed of pet."""

    name = fields.String(required=True, size=64, unique=True)


class PetTag(Named, model="demo.PetTag"):
    """A label on shops; `shops` reads the same join table from this side."""

    color = fields.String(size=16)
    shops = fields.ManyToMany("demo.PetShop", inverse="tags")


class ShopAward(Model, model="demo.ShopAward"):
    """Explicit ManyToMany join model: a shop won an award, with a year."""

    shop = fields.ManyToOne("demo.PetShop", required=True, on_delete="CASCADE")
    award = fields.ManyToOne("demo.Award", required=True, on_delete="CASCADE")
    year = fields.Integer()


class Award(Model, model="demo.Award"):
    """A prize; shops that won it are linked through ShopAward."""

    title = fields.String(required=True)
    winners = fields.ManyToMany("demo.PetShop", through="demo.ShopAward")


class ShopReport(Model, model="demo.ShopReport", kind="transient"):
    """Transient: a computed summary, never stored."""

    shop_count = fields.Integer()
    total_income = fields.Money()


class OpenShop(Model, model="demo.OpenShop", proxy="demo.PetShop"):
    """Proxy: the same table as PetShop, another model code."""
