"""A calculator is checked when it is saved: its segments are ordered, contiguous from 0
and, when it is declared continuous, without a jump at any edge.

Two paths reach the check. Back-end code calls `save_calculator(calculator, segments)`,
which checks before it writes anything. A client's built-in `create` / `update` of a
calculator (segments nested in it) or of a segment is checked by after-hooks on the
records as stored, in the client's transaction: a refusal undoes the whole call. (A
back-end `Calculator(...).create()` runs no hooks unless its directives ask for HOOK.)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from modelry import Call, DataError, function, hook, transaction
from modelry.modules.billing import calculators
from modelry.modules.billing.calculator_models import (Calculator, CalculatorKind,
                                                       CalculatorSegment)
from modelry.modules.billing.errors import CalculatorError, PricingError

WRITES = frozenset({"create", "createBatch", "update", "updateById", "updateBatch",
                    "delete", "deleteById", "deleteBatch"})


def checked(code: str, kind: CalculatorKind | str | None, segments: Sequence[Any]) -> None:
    """Check `segments` (records or dicts with lower, upper, flat_fee, unit_price) of the
    calculator `code`, in their position order; a DataError with the CalculatorError's
    code and message (naming the calculator and the failing edge) when they are invalid."""
    kind = kind if isinstance(kind, CalculatorKind) else \
        CalculatorKind(kind or CalculatorKind.STEPWISE.value)   # the field's default
    try:
        pure = [calculators.Segment(_get(s, "lower"), _get(s, "upper"),
                                    _get(s, "flat_fee") or 0, _get(s, "unit_price") or 0)
                for s in sorted(segments, key=lambda s: _get(s, "position") or 0)]
        calculators.validate_segments(pure, kind.pure, code)
    except CalculatorError as error:
        raise DataError(f"billing.Calculator: {error.message}", code=error.code,
                        model="billing.Calculator", field="segments") from None
    except PricingError as error:
        raise DataError(f"billing.Calculator {code!r}: {error.message}", code=error.code,
                        model="billing.Calculator", field="segments") from None


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


@function(open_level="LOCAL", type="UPDATE", namespace="billing.Calculator")
def save_calculator(calculator: Calculator, segments: list[CalculatorSegment]) -> Calculator:
    """Check, then write `calculator` (created when it has no id, else updated) with
    exactly these `segments` (numbered by their order when they have no position); the
    old segments of an updated calculator are replaced."""
    rows = [{"position": _get(s, "position") or number, "lower": _get(s, "lower"),
             "upper": _get(s, "upper"), "flat_fee": _get(s, "flat_fee") or 0,
             "unit_price": _get(s, "unit_price") or 0}
            for number, s in enumerate(segments, start=1)]
    checked(calculator.code, calculator.kind, rows)
    with transaction():
        if calculator.id is None:
            calculator.create()
        else:
            calculator.update_by_id()
            CalculatorSegment.delete_batch(CalculatorSegment.query_list(
                calculator=calculator.id))
        CalculatorSegment.insert_bulk([{**row, "calculator": calculator.id} for row in rows])
    return calculator


def check_stored(calculator_ids: Iterable[int]) -> None:
    """Check the calculators with these ids as they are stored (two statements)."""
    ids = sorted({number for number in calculator_ids if number is not None})
    if not ids:
        return
    by_calculator: dict[int, list[Any]] = defaultdict(list)
    for segment in CalculatorSegment.query_list(calculator__in=ids):
        by_calculator[segment.calculator_id].append(segment)
    for found in Calculator.query_list(id__in=ids, sort="id"):
        checked(found.code, found.kind, by_calculator[found.id])


def _records(call: Call) -> list[Any]:
    """The records a built-in write names (a record, or a list of them)."""
    found: list[Any] = []
    for argument in call.args:
        found += list(argument) if isinstance(argument, list | tuple) else [argument]
    return [record for record in found if getattr(record, "id", None) is not None]


def _segment_owners(call: Call) -> set[int]:
    """The calculators of the stored segments a call names (one read)."""
    ids = [record.id for record in _records(call)]
    return {segment.calculator_id for segment in CalculatorSegment.query_list(id__in=ids)} \
        if ids else set()


@hook.after(priority=50, model="billing.Calculator")
def _check_written_calculator(call: Call, result: Any) -> None:
    if call.fun in WRITES and not call.fun.startswith("delete"):
        check_stored(record.id for record in _records(call))


@hook.before(priority=50, model="billing.CalculatorSegment")
def _note_segment_owners(call: Call) -> None:
    if call.fun in WRITES:  # a segment moved to another calculator, or deleted, leaves one
        call.extra["billing_calculators"] = _segment_owners(call)


@hook.after(priority=50, model="billing.CalculatorSegment")
def _check_written_segments(call: Call, result: Any) -> None:
    if call.fun in WRITES:
        check_stored(call.extra.get("billing_calculators", set()) | _segment_owners(call))
