"""Methods an `inherit=` extension defines reach the extended model's records and class,
in the registries that load the extension only (the class itself is never changed)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from modelry import Model, Module, fields
from modelry.boot import App
from modelry.core.registry import build_registry
from modelry.errors import DeclarationError
from modelry.core.registry.discovery import resolve

base_module = Module("memberbase", depends=["base"])
extension_module = Module("memberext", depends=["memberbase"])


class Parcel(Model, model="memberbase.Parcel"):
    """memberbase's model: a parcel with a weight."""

    label = fields.String(size=40)
    grams = fields.Integer(default=0)

    def describe(self) -> str:
        return f"{self.label} ({self.grams} g)"


class ParcelShipping(Model, inherit="memberbase.Parcel", module="memberext"):
    """memberext adds a price and the methods that use it."""

    cents_per_kilo = fields.Integer(default=500)

    def postage(self) -> int:
        """Postage in cents for this parcel."""
        return self.grams * self.cents_per_kilo // 1000

    @property
    def heavy(self) -> bool:
        return self.grams >= 1000

    @classmethod
    def heaviest(cls) -> Parcel | None:
        found = cls.query_list(sort="-grams", limit=1)
        return found[0] if found else None

    @staticmethod
    def kilos(grams: int) -> float:
        return grams / 1000


@pytest.fixture
def shipping(make_app: Callable[..., App]) -> Iterator[App]:
    app = make_app([base_module, extension_module])
    with app.activate():
        yield app


def test_records_of_the_extended_model_have_the_extension_methods(shipping: App) -> None:
    with shipping.transaction():
        Parcel(label="books", grams=2500).create()
        Parcel(label="letter", grams=20).create()
        books = Parcel.query_one(label="books")
        assert books.postage() == 1250 and books.heavy is True
        assert books.describe() == "books (2500 g)"          # its own methods still work
        assert Parcel.heaviest().label == "books"            # class methods on the class
        assert Parcel.kilos(1500) == 1.5 and books.kilos(500) == 0.5
        assert Parcel(label="new", grams=3000, cents_per_kilo=400).postage() == 1200


def test_without_the_extension_module_the_methods_are_absent(make_app: Callable[..., App]
                                                             ) -> None:
    app = make_app([base_module])
    with app.activate(), app.transaction():
        parcel = Parcel(label="plain", grams=10)
        with pytest.raises(AttributeError, match="postage"):
            parcel.postage()
        with pytest.raises(AttributeError, match="heaviest"):
            Parcel.heaviest()
    assert "postage" not in vars(Parcel)


def test_an_extension_may_not_redefine_a_method_of_the_model() -> None:
    module = Module("member_clash", depends=["memberbase"])

    class Clash(Model, inherit="memberbase.Parcel", module="member_clash"):
        def describe(self) -> str:
            return "mine"

    with pytest.raises(DeclarationError, match=r"member_clash: model memberbase.Parcel: "
                                               r".*'describe'.*ext_point") as refused:
        build_registry(resolve([base_module, module]))
    assert (refused.value.module, refused.value.model) == ("member_clash", "memberbase.Parcel")
