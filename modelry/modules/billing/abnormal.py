"""A reviewer's decisions on abnormal usage: `correct_abnormal` (checked again, then
ingested and rated through `ingest`, under the record's key) and `reject_abnormal`.

An abnormal record is never rated as it was received, and never "repaired" to zero:
only a correction with plausible values is rated. Each record is decided once
(ABNORMAL_ALREADY_DECIDED), with a reason (REASON_REQUIRED); each decision writes a
`billing.AbnormalReview` row: who (`modelry.current_user_id()`), when, what changed and
why. Decisions on one record queue on its lock.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from modelry import DataError, Long, current_user_id, function, transaction
from modelry.modules.billing.abnormal_checks import (abnormality, products_needing_amount,
                                                     time_bounds)
from modelry.modules.billing.abnormal_models import (AbnormalRecord, AbnormalReview,
                                                     AbnormalStatus)
from modelry.modules.billing.catalogue import Product
from modelry.modules.billing.ingestion import DUPLICATE, OK, ingest
from modelry.modules.billing.money import plain

MODEL = "billing.AbnormalRecord"
REASON_SIZE = 512
CORRECTABLE = ("timestamp", "started_at", "ended_at", "quantity", "amount")


def _refused(message: str, code: str, field: str | None = None) -> DataError:
    return DataError(f"{MODEL}: {message}", code=code, model=MODEL, field=field)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def correct_abnormal(record: Long, reason: str, timestamp: dt.datetime | None = None,
                     started_at: dt.datetime | None = None,
                     ended_at: dt.datetime | None = None, quantity: Decimal | None = None,
                     amount: Decimal | None = None) -> AbnormalRecord:
    """Correct an OPEN abnormal record with the values given (the others as received),
    check it again and ingest it (rated); the record, CORRECTED, with its usage event."""
    found = _open_record(record, reason)
    given = {"timestamp": timestamp, "started_at": started_at, "ended_at": ended_at,
             "quantity": quantity, "amount": amount}
    corrected = {name: getattr(found, name) for name in CORRECTABLE}
    corrected.update({name: Decimal(value) if name in ("quantity", "amount") else value
                      for name, value in given.items() if value is not None})
    product = Product.query_one(code=found.product)
    if product is None:
        raise _refused(f"record {record}: no product with code {found.product!r}",
                       "PRODUCT_UNKNOWN", "product")
    times = {name: corrected[name] for name in ("timestamp", "started_at", "ended_at")}
    still = abnormality(times, corrected["amount"],
                        product.id in products_needing_amount([product.id]), time_bounds())
    if still is not None:
        raise _refused(f"record {record} corrected is still abnormal: {still.message}",
                       still.code)
    event = dict(tenant=found.tenant, source=found.source, event_id=found.event_id,
                 product=found.product, properties=found.properties, **corrected)
    with transaction():   # a savepoint: a refused correction leaves nothing
        answer = ingest([event])[0]
        if answer.code not in (OK, DUPLICATE):
            raise _refused(f"record {record}: the corrected event was refused "
                           f"({answer.code}: {answer.message})", answer.code)
        changes = {name: [_shown(getattr(found, name)), _shown(corrected[name])]
                   for name in CORRECTABLE if getattr(found, name) != corrected[name]}
        return _decide(found, AbnormalStatus.CORRECTED, reason, changes, answer.event)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def reject_abnormal(record: Long, reason: str) -> AbnormalRecord:
    """Reject an OPEN abnormal record: never rated; the record, REJECTED."""
    return _decide(_open_record(record, reason), AbnormalStatus.REJECTED, reason, {}, None)


def _open_record(number: int, reason: str | None) -> Any:
    """The record, still OPEN, locked until the transaction ends."""
    if not (reason or "").strip():
        raise _refused("a reviewer's decision needs a reason", "REASON_REQUIRED", "reason")
    if len(reason) > REASON_SIZE:
        raise _refused(f"a reason has at most {REASON_SIZE} characters, got {len(reason)}",
                       "REASON_TOO_LONG", "reason")
    found = AbnormalRecord.lock([number])
    if not found:
        raise _refused(f"no abnormal record with id {number}", "ABNORMAL_RECORD_NOT_FOUND",
                       "id")
    if found[0].status is not AbnormalStatus.OPEN:
        raise _refused(f"record {number} is {found[0].status.value} already: a record is "
                       "decided once", "ABNORMAL_ALREADY_DECIDED", "status")
    return found[0]


def _decide(found: Any, status: AbnormalStatus, reason: str, changes: dict[str, Any],
            event: int | None) -> Any:
    """Record the decision on the record and in its review log."""
    if AbnormalRecord.update_where({"id": found.id, "status": AbnormalStatus.OPEN.value},
                                   status=status.value, usage_event=event) != 1:
        raise _refused(f"record {found.id} was decided meanwhile",
                       "ABNORMAL_ALREADY_DECIDED", "status")
    AbnormalReview(record=found.id, status=status, user_id=current_user_id(),
                   changes=changes, reason=reason).create()
    return AbnormalRecord.query_by_id(found.id)


def _shown(value: Any) -> Any:
    """A value as the review log's JSON keeps it."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain(value)
    return value
