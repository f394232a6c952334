"""`name=` gives a model its own technical (GraphQL) name, so two modules' models named
alike sit side by side (order.Merchant as `orderMerchant` beside channel.Merchant); a name
that is not lower camel case is refused where it is declared."""
from __future__ import annotations

import pytest

from modelry import DeclarationError, Model
from modelry.boot import App
from tests.functions.helpers import Client


def test_two_modules_models_named_alike_have_their_own_names(make_app) -> None:
    app: App = make_app(["order", "channel"])
    fields = Client(app).gql('{ __schema { queryType { fields { name } } } }').ok()
    roots = {f["name"] for f in fields["__schema"]["queryType"]["fields"]}
    assert {"orderMerchantQuery", "merchantQuery"} <= roots
    names = Client(app).gql('{ a: __type(name: "OrderMerchant") { name } '
                            'b: __type(name: "Merchant") { name } }').ok()
    assert names == {"a": {"name": "OrderMerchant"}, "b": {"name": "Merchant"}}
    assert app.registry.model("order.Merchant").name == "orderMerchant"


@pytest.mark.parametrize("name", ["Merchant", "order_merchant", "", 7])
def test_a_bad_technical_name_is_refused(name: object) -> None:
    with pytest.raises(DeclarationError, match="lower camel case"):
        class Odd(Model, model="oddities.Odd", name=name):
            pass
