"""An event's payload hash never changes with the encoder that writes it: `canonical_json`
(orjson when the values allow) writes exactly the bytes of `json.dumps(sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`, for any JSON an event's properties may hold."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.modules.billing.ingestion import canonical_json

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text())
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=6), inner, max_size=4), max_leaves=12)


def reference(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8", "surrogatepass")


@settings(max_examples=400)
@given(properties=DOCUMENTS, event_id=st.text(min_size=1), quantity=st.sampled_from(
    ["0", "1.5", "44.18", "1000000"]))
def test_the_fast_encoder_writes_the_same_bytes(properties: Any, event_id: str,
                                                quantity: str) -> None:
    fields = {"tenant": "t-1", "source": "gateway", "event_id": event_id, "product": "sms",
              "timestamp": "2026-01-26T09:47:11.000000", "quantity": quantity,
              "amount": None, "properties": properties}
    assert canonical_json(fields) == reference(fields)


def test_values_only_the_standard_encoder_writes_alike_fall_back_to_it() -> None:
    for properties in ({"small": 1e-07}, {"big": 2**64}, {"nan": float("nan")},
                       {1: "int key"}, ["\ud800"]):
        fields = {"event_id": "e", "properties": properties}
        assert canonical_json(fields) == reference(fields)
