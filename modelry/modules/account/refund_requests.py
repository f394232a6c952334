"""Balance refund requests: a customer asks to withdraw its cash, an operator approves or
rejects, every step logged with who and why (`account.RefundRequestEvent`).

- `request_refund(account, reason=None)` holds the whole available balance of a
  CUSTOMER_CASH account (posted - debits held) for the payout account of the ledger's
  `account.RefundPolicy`, with no timeout, and clears the customer's voucher account (the
  CUSTOMER_VOUCHER account of the same ledger and owner) to the voucher sink: vouchers
  are never paid out. The fee is fixed now: the policy's rate, rounded half up to the
  minor unit (`refund_fee`). Refused: ACCOUNT_NOT_FOUND, ACCOUNT_NOT_REFUNDABLE,
  REFUND_REQUESTS_DISABLED (no policy, or its switch off), REFUND_FEE_RATE_INVALID,
  REFUND_ALREADY_REQUESTED (one open request per account), NOTHING_TO_REFUND,
  VOUCHER_ACCOUNT_AMBIGUOUS, VOUCHER_SINK_NOT_SET.
- `approve_refund(request, reason)` posts the hold less the fee to the payout account
  (the rest is released) and moves the fee to the fee account, as one linked chain.
- `reject_refund(request, reason)` voids the hold and gives the cleared vouchers back.
  Both need a reason (REASON_REQUIRED) and decide a request once (REFUND_ALREADY_DECIDED);
  the switch does not stop them.

Each step's transfers go to the ledger as one linked chain, keyed `refund-<id>-<step>`:
a retry never moves money twice. Call these in a transaction: a refused transfer raises
a DataError with the ledger's code (e.g. ACCOUNT_FROZEN) and leaves nothing written. Who
acted is the session's user (`modelry.current_user_id()`; None for back-end calls made
for nobody).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from modelry import DataError, Long, current_user_id, function, transaction
from modelry.modules.account import codes as C
from modelry.modules.account.functions import apply
from modelry.modules.account.ledger import TransferRequest
from modelry.modules.account.models import Account, AccountKind, Transfer
from modelry.modules.account.refund_models import (RefundPolicy, RefundRequest,
                                                   RefundRequestEvent, RefundStatus,
                                                   refund_fee)
from modelry.modules.account.store import ledger_key

MODEL = "account.RefundRequest"
REASON_SIZE = 512


def _refused(message: str, code: str, model: str = MODEL, field: str | None = None
             ) -> DataError:
    return DataError(f"{model}: {message}", code=code, model=model, field=field)


@function(open_level="API", type="CREATE", namespace=MODEL)
def request_refund(account: Long, reason: str | None = None) -> RefundRequest:
    """Ask to withdraw a customer's cash: hold all of it and clear its vouchers (one
    batch); the new request, REQUESTED."""
    _check_reason(reason, required=False)
    cash = Account.query_by_id(account)
    if cash is None:
        raise _refused(f"no account with id {account}", "ACCOUNT_NOT_FOUND",
                       "account.Account", "id")
    if cash.kind is not AccountKind.CUSTOMER_CASH:
        raise _refused(f"account {cash.code!r} is {cash.kind.value}: only a customer's "
                       "cash can be refunded", "ACCOUNT_NOT_REFUNDABLE", field="account")
    policy = _policy_of(cash.ledger_id)
    voucher = _voucher_account(cash)
    locked = {a.id: a for a in Account.lock([cash.id] + ([voucher.id] if voucher else []))}
    # under the account's lock: a request of the same account waits here, then sees ours
    if RefundRequest.count(open_account=cash.id):
        raise _refused(f"account {cash.code!r} has a refund request open",
                       "REFUND_ALREADY_REQUESTED", field="account")
    held = _available(locked[cash.id])
    if held <= 0:
        raise _refused(f"account {cash.code!r} has no cash available ({held})",
                       "NOTHING_TO_REFUND", field="amount")
    vouchers = max(_available(locked[voucher.id]), 0) if voucher else 0
    if vouchers and policy.voucher_sink_account_id is None:
        raise _refused(f"ledger {cash.ledger_id} has no voucher sink account for the "
                       f"vouchers of {cash.code!r}", "VOUCHER_SINK_NOT_SET",
                       "account.RefundPolicy", "voucher_sink_account")
    with transaction():  # a savepoint: a refused step leaves nothing, even if caught
        request = RefundRequest(
            ledger=cash.ledger_id, account=cash.id, amount=held, fee_rate=policy.fee_rate,
            fee=refund_fee(held, policy.fee_rate), fee_account=policy.fee_account_id,
            voucher_account=voucher.id if vouchers else None, vouchers_cleared=vouchers,
            open_account=cash.id, reason=reason, status=RefundStatus.REQUESTED).create()
        key = _key(request, "hold")
        batch = [_transfer(request, "hold", cash.id, policy.payout_account_id, held,
                           "WITHDRAW", pending=True)]
        if vouchers:
            batch.append(_transfer(request, "vouchers", voucher.id,
                                   policy.voucher_sink_account_id, vouchers, "ADJUSTMENT"))
        ids = _apply(request, batch)
    RefundRequest.update_where({"id": request.id}, hold_key=key, hold_transfer=ids[0],
                               requested_by=current_user_id())
    _log(request.id, RefundStatus.REQUESTED, reason)
    return RefundRequest.query_by_id(request.id)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def approve_refund(request: Long, reason: str) -> RefundRequest:
    """Pay a refund request out: post its hold less the fee and move the fee to the fee
    account, as one linked chain; the request, APPROVED."""
    found = _open_request(request, reason)
    payout = found.amount - found.fee
    # a post of 0 would post the whole hold: when the fee takes it all, void it instead
    first = _transfer(found, "payout" if payout else "release", None, None, payout,
                      "WITHDRAW", post_pending=bool(payout), void_pending=not payout)
    batch = [first]
    if found.fee:
        batch.append(_transfer(found, "fee", found.account_id, found.fee_account_id,
                               found.fee, "FEE"))
    _apply(found, batch)
    return _decide(found, RefundStatus.APPROVED, reason)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def reject_refund(request: Long, reason: str) -> RefundRequest:
    """Turn a refund request down: void its hold and give the cleared vouchers back (one
    linked chain); the request, REJECTED."""
    found = _open_request(request, reason)
    batch = [_transfer(found, "void", None, None, 0, "WITHDRAW", void_pending=True)]
    if found.vouchers_cleared:
        cleared = Transfer.query_one(ledger_key=ledger_key(found.ledger_id,
                                                           _key(found, "vouchers")))
        batch.append(_transfer(found, "vouchers-back", cleared.credit_account_id,
                               cleared.debit_account_id, cleared.amount, "ADJUSTMENT"))
    _apply(found, batch)
    return _decide(found, RefundStatus.REJECTED, reason)


def _check_reason(reason: str | None, required: bool) -> None:
    if required and not (reason or "").strip():
        raise _refused("an operator's decision needs a reason", "REASON_REQUIRED",
                       field="reason")
    if reason is not None and len(reason) > REASON_SIZE:
        raise _refused(f"a reason has at most {REASON_SIZE} characters, got {len(reason)}",
                       "REASON_TOO_LONG", field="reason")


def _policy_of(ledger: int) -> Any:
    """The ledger's refund policy, switched on and with a usable rate."""
    policy = RefundPolicy.query_one(ledger=ledger)
    if policy is None or not policy.enabled:
        raise _refused(f"refund requests are switched off on ledger {ledger}",
                       "REFUND_REQUESTS_DISABLED", "account.RefundPolicy", "enabled")
    if not 0 <= policy.fee_rate <= 1:
        raise _refused(f"fee_rate {policy.fee_rate} of ledger {ledger} is not a fraction "
                       "from 0 to 1", "REFUND_FEE_RATE_INVALID", "account.RefundPolicy",
                       "fee_rate")
    return policy


def _voucher_account(cash: Any) -> Any:
    """The customer's voucher account: of the same ledger and (non-empty) owner."""
    if not cash.owner:
        return None
    found = Account.query_list(ledger=cash.ledger_id, owner=cash.owner,
                               kind=AccountKind.CUSTOMER_VOUCHER.value, sort="id", limit=2)
    if len(found) > 1:
        raise _refused(f"owner {cash.owner!r} has several voucher accounts on ledger "
                       f"{cash.ledger_id}", "VOUCHER_ACCOUNT_AMBIGUOUS", field="account")
    return found[0] if found else None


def _available(account: Any) -> int:
    """Posted balance less the debits held."""
    return account.credits_posted - account.debits_posted - account.debits_pending


def _key(request: Any, step: str) -> str:
    return f"refund-{request.id}-{step}"


def _transfer(request: Any, step: str, debit: int | None, credit: int | None, amount: int,
              kind: str, **flags: bool) -> TransferRequest:
    """A transfer of a request's step; a post or void names the request's hold."""
    resolving = flags.get("post_pending") or flags.get("void_pending")
    return TransferRequest(request.ledger_id, _key(request, step), debit, credit, amount,
                           kind, pending_key=_key(request, "hold") if resolving else None,
                           note=f"refund request {request.id}: {step}", **flags)


def _apply(request: Any, batch: list[TransferRequest]) -> list[int]:
    """Apply `batch` as one linked chain; its transfer ids, or a DataError with the code
    of the transfer refused (then the ledger wrote nothing)."""
    chained = [dataclasses.replace(t, linked=n < len(batch) - 1) for n, t in enumerate(batch)]
    results = apply(chained)
    failed = [r for r in results if r.code != C.OK]
    if failed:
        cause = next((r for r in failed if r.code != C.LINKED_EVENT_FAILED), failed[0])
        raise _refused(f"request {request.id}: the ledger refused transfer {cause.key!r} "
                       f"({cause.code})", cause.code)
    return [r.transfer_id for r in results]


def _open_request(number: int, reason: str) -> Any:
    """The request, still REQUESTED, with its account locked (decisions queue on it)."""
    _check_reason(reason, required=True)
    found = RefundRequest.query_by_id(number)
    if found is None:
        raise _refused(f"no refund request with id {number}", "REFUND_REQUEST_NOT_FOUND",
                       field="id")
    Account.lock([found.account_id])
    found = RefundRequest.query_by_id(number)  # as the lock's holder left it
    if found.status is not RefundStatus.REQUESTED:
        raise _refused(f"request {number} is {found.status.value} already: a request is "
                       "decided once", "REFUND_ALREADY_DECIDED", field="status")
    return found


def _decide(found: Any, step: RefundStatus, reason: str) -> RefundRequest:
    """Record the decision on the request and in its log."""
    event = _log(found.id, step, reason)
    if RefundRequest.update_where(
            {"id": found.id, "status": RefundStatus.REQUESTED.value}, status=step.value,
            open_account=None, decided_by=current_user_id(), decided_at=event.create_date,
            decision_reason=reason) != 1:
        raise _refused(f"request {found.id} was decided meanwhile", "REFUND_ALREADY_DECIDED",
                       field="status")
    return RefundRequest.query_by_id(found.id)


def _log(request: int, step: RefundStatus, reason: str | None) -> Any:
    return RefundRequestEvent(request=request, step=step, reason=reason).create()
