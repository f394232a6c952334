"""The billing module installs alone, with its tables and its GraphQL roots."""
from __future__ import annotations

from modelry.boot import App
from tests.functions.helpers import Client


def test_billing_installs_alone(billing_app: App) -> None:
    assert sorted(billing_app.registry.modules) == ["base", "billing"]
    for model in ("billing.Product", "billing.Calculator", "billing.CalculatorSegment",
                  "billing.Charge", "billing.ChargeTimeSegment", "billing.ExchangeRate",
                  "billing.UsageEvent", "billing.RatedLine"):
        assert billing_app.registry.find(model) is not None, model
    answer = Client(billing_app).gql("{ productQuery { countByWrapper(queryWrapper: "
                                     "{rsql: \"id=gt=0\"}) } }").ok()
    assert answer["productQuery"]["countByWrapper"] == 0
