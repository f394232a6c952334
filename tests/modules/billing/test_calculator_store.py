"""A calculator is checked when saved, through Python (`save_calculator`) and through a
client's built-in create / update: a continuous calculator that jumps is refused with the
CalculatorError's code and a message naming the calculator and the edge; nothing is kept."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.modules.billing.calculator_checks import save_calculator
from modelry.modules.billing.calculator_models import Calculator, CalculatorSegment
from tests.functions.helpers import Client

JUMPS = [dict(lower=0, upper=1_000_000, unit_price=Decimal("0.03")),
         dict(lower=1_000_000, upper=None, unit_price=Decimal("0.02"))]
SMOOTH = [dict(lower=0, upper=1_000_000, unit_price=Decimal("0.03")),
          dict(lower=1_000_000, upper=None, flat_fee=10_000, unit_price=Decimal("0.02"))]


def test_a_continuous_calculator_that_jumps_is_refused_naming_the_edge(
        billing_app: App) -> None:
    with pytest.raises(DataError) as refused, billing_app.transaction():
        save_calculator(Calculator(code="volume", name="Volume", currency="EUR",
                                   kind="CONTINUOUS"), JUMPS)
    assert refused.value.code == "CALCULATOR_DISCONTINUOUS"
    assert "calculator 'volume'" in refused.value.message
    assert "jumps at 1000000" in refused.value.message
    assert Calculator.count() == 0 and CalculatorSegment.count() == 0


def test_stepwise_and_smooth_calculators_are_saved_and_replaced(billing_app: App) -> None:
    with billing_app.transaction():
        stepwise = save_calculator(Calculator(code="volume", name="Volume", currency="EUR",
                                              kind="STEPWISE"), JUMPS)
        smooth = save_calculator(Calculator(code="smooth", name="Smooth", currency="EUR",
                                            kind="CONTINUOUS"), SMOOTH)
    stored = CalculatorSegment.query_list(calculator=smooth.id, sort="position")
    assert [(s.position, s.lower, s.upper, s.flat_fee) for s in stored] == \
        [(1, 0, 1_000_000, 0), (2, 1_000_000, None, 10_000)]
    with billing_app.transaction():
        stepwise.kind = "CONTINUOUS"
        save_calculator(stepwise, SMOOTH[:1])
    assert CalculatorSegment.count(calculator=stepwise.id) == 1
    with pytest.raises(DataError) as refused, billing_app.transaction():
        save_calculator(stepwise, JUMPS)          # continuous now: the jump is refused
    assert refused.value.code == "CALCULATOR_DISCONTINUOUS"
    assert CalculatorSegment.count(calculator=stepwise.id) == 1


def test_gaps_overlaps_and_empty_calculators_are_refused(billing_app: App) -> None:
    cases = [([], "CALCULATOR_EMPTY"),
             ([dict(lower=0, upper=10), dict(lower=20, upper=None)], "CALCULATOR_GAP"),
             ([dict(lower=0, upper=10), dict(lower=5, upper=None)], "CALCULATOR_OVERLAP"),
             ([dict(lower=1, upper=None)], "CALCULATOR_START")]
    for segments, code in cases:
        with pytest.raises(DataError) as refused, billing_app.transaction():
            save_calculator(Calculator(code="c", name="C", currency="EUR"), segments)
        assert refused.value.code == code and "calculator 'c'" in refused.value.message
    assert Calculator.count() == 0


CREATE = """mutation($d: CalculatorInput!) { calculatorMutation { create(data: $d) {
  id segments { position } } } }"""


def _input(kind: str, segments: list[dict]) -> dict:
    return {"code": "volume", "name": "Volume", "currency": "EUR", "kind": kind,
            "segments": [{"position": n, "lower": str(s["lower"]),
                          "upper": None if s["upper"] is None else str(s["upper"]),
                          "flatFee": str(s.get("flat_fee", 0)),
                          "unitPrice": str(s["unit_price"])}
                         for n, s in enumerate(segments, start=1)]}


def test_a_client_create_is_checked_as_stored(billing_app: App) -> None:
    client = Client(billing_app)
    refused = client.gql(CREATE, {"d": _input("CONTINUOUS", JUMPS)})
    assert refused.codes == ["CALCULATOR_DISCONTINUOUS"], refused.body
    assert "calculator 'volume'" in refused.error["message"]
    assert "jumps at 1000000" in refused.error["message"]
    assert Calculator.count() == 0 and CalculatorSegment.count() == 0
    created = client.gql(CREATE, {"d": _input("STEPWISE", JUMPS)}).ok()
    calculator = created["calculatorMutation"]["create"]
    assert [s["position"] for s in calculator["segments"]] == [1, 2]
    # turning it continuous, or moving a segment's edge, is checked too
    update = client.gql('mutation { calculatorMutation { update(data: {id: "%s", kind: '
                        'CONTINUOUS}) { id } } }' % calculator["id"])
    assert update.codes == ["CALCULATOR_DISCONTINUOUS"], update.body
    second = CalculatorSegment.query_one(calculator=int(calculator["id"]), position=2)
    moved = client.gql('mutation { calculatorSegmentMutation { update(data: {id: "%s", '
                       'lower: "1000001"}) { id } } }' % second.id)
    assert moved.codes == ["CALCULATOR_GAP"], moved.body
    assert Calculator.query_by_id(int(calculator["id"])).kind.value == "STEPWISE"
    assert CalculatorSegment.query_by_id(second.id).lower == 1_000_000


def test_a_client_deleting_a_middle_segment_is_refused(billing_app: App) -> None:
    three = [dict(lower=0, upper=10, unit_price=1), dict(lower=10, upper=20, unit_price=2),
             dict(lower=20, upper=None, unit_price=3)]
    with billing_app.transaction():
        calculator = save_calculator(Calculator(code="tiers", name="Tiers", currency="EUR"),
                                     three)
    middle = CalculatorSegment.query_one(calculator=calculator.id, position=2)
    answer = Client(billing_app).gql('mutation { calculatorSegmentMutation { delete(dataList: '
                                     '[{id: "%s"}]) { id } } }' % middle.id)
    assert answer.codes == ["CALCULATOR_GAP"], answer.body
    assert "calculator 'tiers'" in answer.error["message"]
    assert CalculatorSegment.count(calculator=calculator.id) == 3
