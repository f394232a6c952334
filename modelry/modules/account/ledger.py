"""The ledger's batch engine: a pure function from account states, holds, known keys and a
batch of transfer requests to per-transfer results, new balances and the rows to write.

It follows TigerBeetle's semantics. A plain transfer posts `amount` from its debit account
to its credit account. A `pending` transfer (a hold) reserves it in `debits_pending` /
`credits_pending`; a `post_pending` transfer posts all of a hold (amount 0) or part of it
and releases the rest; a `void_pending` transfer releases it. A hold resolves at most once,
and one past its `timeout` can be voided but never posted. A key applies once per ledger:
a repeat with the same fields answers EXISTS and changes nothing, with other fields
EXISTS_WITH_DIFFERENT_FIELDS. Transfers marked `linked` chain with the next one: a chain
applies whole or not at all (the others of a failed chain answer LINKED_EVENT_FAILED).
A REFUND naming an earlier transfer by `refund_of` moves money back the way it came, and
the refunds of one transfer never add up to more than it posted. A refused transfer
changes nothing. Nothing here reads a database or a clock.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from modelry.modules.account import codes as C

INT64_MAX = 2**63 - 1
MAX_TIMEOUT = 10 * 366 * 86_400        # seconds: a hold lives at most about ten years
KEY_PATTERN = re.compile(r"[!-~]{1,64}")  # 1 to 64 printable ASCII characters, no spaces
KINDS = frozenset({"RECHARGE", "TRANSFER", "WITHDRAW", "REFUND", "FEE", "ADJUSTMENT"})
BALANCES = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
Key = tuple[int, str]  # (ledger id, client key)


@dataclass(slots=True)
class AccountState:
    """What the engine knows of an account: its ledger, rules and four balances."""

    id: int
    ledger: int
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    credit_limit: int = 0
    status: str = "ACTIVE"  # ACTIVE, FROZEN or CLOSED


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """One transfer as a client sends it (amounts in the ledger's minor units)."""

    ledger: int
    key: str
    debit_account: int | None = None
    credit_account: int | None = None
    amount: int = 0
    kind: str = "TRANSFER"
    pending: bool = False
    post_pending: bool = False
    void_pending: bool = False
    pending_key: str | None = None
    timeout: int = 0  # seconds a hold lives; 0: until it is resolved
    linked: bool = False
    note: str | None = None
    refund_of: str | None = None  # a REFUND's original: the key of a transfer of the ledger

    def same_fields(self, other: TransferRequest) -> bool:
        """Whether `other` repeats this request (`linked` aside; a post, void or refund that
        leaves its accounts out matches the accounts its hold or original gave)."""
        mine = dataclasses.replace(self, linked=False)
        theirs = dataclasses.replace(other, linked=False)
        if other.post_pending or other.void_pending or other.refund_of:
            theirs = dataclasses.replace(
                theirs, debit_account=other.debit_account or self.debit_account,
                credit_account=other.credit_account or self.credit_account)
        return mine == theirs


@dataclass(frozen=True, slots=True)
class Known:
    """A transfer already applied under a key: its request (accounts resolved) and id."""

    request: TransferRequest
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """A pending transfer: what it reserved, until when, and whether it is resolved."""

    key: str
    ledger: int
    debit_account: int
    credit_account: int
    amount: int
    expires_at: float | None = None  # seconds since the epoch; None: never
    status: str = "PENDING"          # PENDING, POSTED or VOIDED
    amount_posted: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Original:
    """A transfer a refund names: the request it was applied with (accounts resolved), its
    status and amount posted (a hold's, once posted), and what its refunds took back."""

    request: TransferRequest
    status: str = "POSTED"  # POSTED, or a hold's PENDING or VOIDED
    amount_posted: int = 0
    refunded: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """The answer for the transfer at `index`: `code` is "ok" or a refusal code."""

    index: int
    key: str
    code: str
    transfer_id: int | None = None  # the first transfer's id, for EXISTS

    @property
    def accepted(self) -> bool:
        """Applied now, or applied before with the same fields."""
        return self.code in (C.OK, C.EXISTS)


@dataclass(frozen=True, slots=True)
class Applied:
    """A transfer to write: the request with its accounts resolved, and its effect."""

    index: int
    request: TransferRequest
    amount: int           # what it reserved, posted, or released
    amount_posted: int
    status: str           # PENDING (a hold), POSTED or VOIDED
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One side of an applied transfer: signed changes and the net posted balance after."""

    transfer: int  # position in Outcome.transfers
    account: int
    side: str      # DEBIT or CREDIT
    pending: int
    posted: int
    balance: int   # credits_posted - debits_posted after this entry


@dataclass
class Outcome:
    """Everything a batch did: results in batch order and the rows to write."""

    results: list[Result]
    accounts: dict[int, AccountState]          # the new state of every account changed
    deltas: dict[int, dict[str, int]]          # net change per account, non-zero only
    transfers: list[Applied] = field(default_factory=list)
    holds: dict[Key, Hold] = field(default_factory=dict)  # holds resolved by this batch
    entries: list[EntryRow] = field(default_factory=list)


class Refused(Exception):
    """A transfer's refusal, carrying its code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def apply_batch(accounts: Mapping[int, AccountState], holds: Mapping[Key, Hold],
                known: Mapping[Key, Known], batch: Sequence[TransferRequest],
                now: float, refused: Mapping[int, str] | None = None,
                originals: Mapping[Key, Original] | None = None) -> Outcome:
    """Apply `batch` in order to copies of `accounts`, `holds` and `known` keys; `now` (epoch
    seconds) decides which holds have expired; `refused` gives codes found before (index →
    code, e.g. an unknown ledger), applied in their place; `originals` are the stored
    transfers the batch's refunds name (by `refund_of`). The inputs are left as they are."""
    work = _Workspace(accounts, holds, known, now, originals or {})
    refused = refused or {}
    results: list[Result | None] = [None] * len(batch)
    for chain in chains(batch):
        work.begin()
        failed: tuple[int, str] | None = None
        if batch[chain[-1]].linked:
            failed = (chain[-1], C.LINKED_EVENT_CHAIN_OPEN)
        for index in chain if failed is None else ():
            try:
                if index in refused:
                    raise Refused(refused[index])
                results[index] = work.apply(index, batch[index])
            except Refused as refusal:
                failed = (index, refusal.code)
                break
        if failed is None:
            work.commit()
            continue
        work.rollback()
        for index in chain:
            code = failed[1] if index == failed[0] else C.LINKED_EVENT_FAILED
            results[index] = Result(index, batch[index].key, code)
    return work.outcome([r for r in results if r is not None])


def chains(batch: Sequence[TransferRequest]) -> list[list[int]]:
    """Indexes grouped into chains: a `linked` transfer joins the next one's chain."""
    grouped: list[list[int]] = [[]]
    for index, request in enumerate(batch):
        grouped[-1].append(index)
        if not request.linked:
            grouped.append([])
    return [chain for chain in grouped if chain]


def validate(request: TransferRequest) -> None:
    """Refuse a request that is malformed whatever the state (Refused)."""
    if not isinstance(request.key, str) or not KEY_PATTERN.fullmatch(request.key):
        raise Refused(C.KEY_INVALID)
    resolving = request.post_pending or request.void_pending
    if request.pending + request.post_pending + request.void_pending > 1:
        raise Refused(C.FLAGS_ARE_MUTUALLY_EXCLUSIVE)
    if request.amount > INT64_MAX:
        raise Refused(C.AMOUNT_OUT_OF_RANGE)
    if request.amount < 0 or (request.amount == 0 and not resolving):
        raise Refused(C.AMOUNT_MUST_BE_POSITIVE)
    if request.kind not in KINDS:
        raise Refused(C.KIND_INVALID)
    if not 0 <= request.timeout <= MAX_TIMEOUT:
        raise Refused(C.TIMEOUT_INVALID)
    if request.timeout and not request.pending:
        raise Refused(C.TIMEOUT_RESERVED_FOR_PENDING)
    if resolving and not request.pending_key:
        raise Refused(C.PENDING_KEY_REQUIRED)
    if request.pending_key and not resolving:
        raise Refused(C.PENDING_KEY_NOT_ALLOWED)
    if request.refund_of and (request.kind != "REFUND" or resolving):
        raise Refused(C.REFUND_OF_NOT_ALLOWED)
    if request.refund_of and request.pending:
        raise Refused(C.REFUND_CANNOT_BE_PENDING)


class _Workspace:
    """Copies of the state a batch changes, with an undo log per chain."""

    def __init__(self, accounts: Mapping[int, AccountState], holds: Mapping[Key, Hold],
                 known: Mapping[Key, Known], now: float,
                 originals: Mapping[Key, Original]) -> None:
        self.accounts = accounts
        self.holds = holds
        self.known = known
        self.now = now
        self.originals = originals
        self.refunded: dict[Key, int] = {}  # what this batch's refunds took back, by original
        self.changed: dict[int, AccountState] = {}
        self.resolved: dict[Key, Hold] = {}
        self.new_holds: dict[Key, Hold] = {}
        self.new_keys: dict[Key, Known] = {}
        self.transfers: list[Applied] = []
        self.entries: list[EntryRow] = []

    # ── chains: begin, commit, rollback ─────────────────────────────────────
    def begin(self) -> None:
        self.undo_accounts: dict[int, tuple[int, int, int, int] | None] = {}
        self.undo_holds: list[tuple[dict[Key, Hold], Key, Hold | None]] = []
        self.undo_keys: list[Key] = []
        self.undo_refunds: list[tuple[Key, int]] = []
        self.marks = (len(self.transfers), len(self.entries))

    def commit(self) -> None:
        pass  # the changes stand

    def rollback(self) -> None:
        for number, before in self.undo_accounts.items():
            if before is None:
                self.changed.pop(number, None)
            else:
                account = self.changed[number]
                (account.debits_pending, account.debits_posted, account.credits_pending,
                 account.credits_posted) = before
        for table, key, hold in reversed(self.undo_holds):
            if hold is None:
                table.pop(key, None)
            else:
                table[key] = hold
        for key in self.undo_keys:
            self.new_keys.pop(key, None)
        for key, amount in self.undo_refunds:
            self.refunded[key] -= amount
        del self.transfers[self.marks[0]:]
        del self.entries[self.marks[1]:]

    # ── reads and writes of the copies ──────────────────────────────────────
    def account(self, number: int | None) -> AccountState:
        if number is not None and number in self.changed:
            return self.changed[number]
        if number is None or number not in self.accounts:
            raise Refused(C.ACCOUNT_NOT_FOUND)
        return self.accounts[number]

    def _writable(self, number: int) -> AccountState:
        """The copy of an account this batch changes (its balances noted for undo)."""
        account = self.changed.get(number)
        if number not in self.undo_accounts:
            self.undo_accounts[number] = None if account is None else (
                account.debits_pending, account.debits_posted, account.credits_pending,
                account.credits_posted)
        if account is None:
            account = self.changed[number] = dataclasses.replace(self.accounts[number])
        return account

    def hold(self, key: Key) -> Hold | None:
        for table in (self.resolved, self.new_holds):
            if key in table:
                return table[key]
        return self.holds.get(key)

    def _put_hold(self, table: dict[Key, Hold], key: Key, hold: Hold) -> None:
        self.undo_holds.append((table, key, table.get(key)))
        table[key] = hold

    def key(self, key: Key) -> Known | None:
        return self.new_keys.get(key) or self.known.get(key)

    def original(self, key: Key) -> Original | None:
        """The transfer a refund names, as it stands at this point of the batch."""
        made = self.new_keys.get(key)  # applied earlier in this batch: nothing refunded yet
        found = Original(made.request, "POSTED", made.request.amount) if made is not None \
            else self.originals.get(key)
        hold = self.hold(key) if found is not None and found.request.pending else None
        if hold is not None:  # a hold: as it stands now (it may be resolved in this batch)
            found = dataclasses.replace(found, status=hold.status,
                                        amount_posted=hold.amount_posted)
        return found

    # ── one transfer ────────────────────────────────────────────────────────
    def apply(self, index: int, request: TransferRequest) -> Result:
        """Apply `request` (Refused when it cannot be applied; nothing changed then)."""
        validate(request)
        key = (request.ledger, request.key)
        first = self.key(key)
        if first is not None:
            if not first.request.same_fields(request):
                raise Refused(C.EXISTS_WITH_DIFFERENT_FIELDS)
            return Result(index, request.key, C.EXISTS, first.id)
        if request.post_pending or request.void_pending:
            applied = self._resolve(index, request)
        elif request.refund_of:
            applied = self._refund(index, request)
        else:
            applied = self._move(index, request)
        self.new_keys[key] = Known(applied.request)
        self.undo_keys.append(key)
        return Result(index, request.key, C.OK)

    def _move(self, index: int, request: TransferRequest) -> Applied:
        """A plain transfer (posted) or a hold (pending)."""
        if request.debit_account is not None and request.debit_account == request.credit_account:
            raise Refused(C.SAME_ACCOUNT)
        debit = self.account(request.debit_account)
        credit = self.account(request.credit_account)
        if debit.ledger != credit.ledger:
            raise Refused(C.ACCOUNTS_MUST_HAVE_SAME_LEDGER)
        if debit.ledger != request.ledger:
            raise Refused(C.TRANSFER_LEDGER_MISMATCH)
        _usable(debit, credit)
        amount = request.amount
        phase = "pending" if request.pending else "posted"
        if max(getattr(debit, f"debits_{phase}"), getattr(credit, f"credits_{phase}"),
               debit.debits_pending + debit.debits_posted,
               credit.credits_pending + credit.credits_posted) > INT64_MAX - amount:
            raise Refused(C.OVERFLOWS)
        if debit.debits_must_not_exceed_credits and (
                debit.debits_pending + debit.debits_posted + amount
                > debit.credits_posted + debit.credit_limit):
            raise Refused(C.EXCEEDS_CREDITS)
        if credit.credits_must_not_exceed_debits and (
                credit.credits_pending + credit.credits_posted + amount
                > credit.debits_posted + credit.credit_limit):
            raise Refused(C.EXCEEDS_DEBITS)
        expires = self.now + request.timeout if request.pending and request.timeout else None
        applied = Applied(index, request, amount, 0 if request.pending else amount,
                          "PENDING" if request.pending else "POSTED", expires)
        position = self._record(applied)
        pending, posted = (amount, 0) if request.pending else (0, amount)
        self._post(position, debit.id, "DEBIT", pending, posted)
        self._post(position, credit.id, "CREDIT", pending, posted)
        if request.pending:
            hold = Hold(request.key, request.ledger, debit.id, credit.id, amount, expires)
            self._put_hold(self.new_holds, (request.ledger, request.key), hold)
        return applied

    def _resolve(self, index: int, request: TransferRequest) -> Applied:
        """Post or void a hold: the reservation is released, all or part of it posted."""
        hold = self.hold((request.ledger, request.pending_key or ""))
        if hold is None:
            raise Refused(C.PENDING_NOT_FOUND)
        if request.debit_account not in (None, hold.debit_account) or \
                request.credit_account not in (None, hold.credit_account):
            raise Refused(C.PENDING_ACCOUNTS_MISMATCH)
        if hold.status != "PENDING":
            raise Refused(C.PENDING_ALREADY_RESOLVED)
        debit, credit = self.account(hold.debit_account), self.account(hold.credit_account)
        if request.post_pending:
            if hold.expires_at is not None and hold.expires_at <= self.now:
                raise Refused(C.PENDING_EXPIRED)
            if request.amount > hold.amount:
                raise Refused(C.EXCEEDS_PENDING_AMOUNT)
            _usable(debit, credit)
            posted = request.amount or hold.amount
        else:
            if request.amount not in (0, hold.amount):
                raise Refused(C.PENDING_AMOUNT_MISMATCH)
            posted = 0
        resolved = dataclasses.replace(request, debit_account=debit.id, credit_account=credit.id)
        status = "POSTED" if request.post_pending else "VOIDED"
        applied = Applied(index, resolved, hold.amount, posted, status)
        position = self._record(applied)
        self._post(position, debit.id, "DEBIT", -hold.amount, posted)
        self._post(position, credit.id, "CREDIT", -hold.amount, posted)
        key = (hold.ledger, hold.key)
        self._put_hold(self.resolved, key, dataclasses.replace(
            hold, status=status, amount_posted=posted))
        return applied

    def _refund(self, index: int, request: TransferRequest) -> Applied:
        """A refund of an earlier transfer: from its credit account back to its debit
        account, at most what it posted less what its refunds took back already."""
        key = (request.ledger, request.refund_of or "")
        original = self.original(key)
        if original is None:
            raise Refused(C.REFUND_ORIGINAL_NOT_FOUND)
        first = original.request
        if first.kind == "REFUND":
            raise Refused(C.REFUND_OF_REFUND)
        if first.post_pending or first.void_pending:
            raise Refused(C.REFUND_OF_RESOLUTION)  # the hold's key stands for its post
        if original.status != "POSTED":
            raise Refused(C.REFUND_ORIGINAL_NOT_POSTED)
        if request.debit_account not in (None, first.credit_account) or \
                request.credit_account not in (None, first.debit_account):
            raise Refused(C.REFUND_ACCOUNTS_MISMATCH)
        taken = original.refunded + self.refunded.get(key, 0)
        if request.amount > original.amount_posted - taken:
            raise Refused(C.EXCEEDS_REFUNDABLE)
        applied = self._move(index, dataclasses.replace(
            request, debit_account=first.credit_account, credit_account=first.debit_account))
        self.refunded[key] = self.refunded.get(key, 0) + request.amount
        self.undo_refunds.append((key, request.amount))
        return applied

    def _record(self, applied: Applied) -> int:
        self.transfers.append(applied)
        return len(self.transfers) - 1

    def _post(self, position: int, number: int, side: str, pending: int, posted: int) -> None:
        """Change one side of an account and write its entry."""
        account = self._writable(number)
        if side == "DEBIT":
            account.debits_pending += pending
            account.debits_posted += posted
        else:
            account.credits_pending += pending
            account.credits_posted += posted
        balance = account.credits_posted - account.debits_posted
        self.entries.append(EntryRow(position, number, side, pending, posted, balance))

    def outcome(self, results: list[Result]) -> Outcome:
        deltas: dict[int, dict[str, int]] = {}
        for number, after in self.changed.items():
            before = self.accounts[number]
            change = {name: getattr(after, name) - getattr(before, name) for name in BALANCES}
            change = {name: delta for name, delta in change.items() if delta}
            if change:
                deltas[number] = change
        return Outcome(results, dict(self.changed), deltas, self.transfers, dict(self.resolved),
                       self.entries)


def _usable(debit: AccountState, credit: AccountState) -> None:
    """Refuse moving money on a closed or frozen account."""
    if "CLOSED" in (debit.status, credit.status):
        raise Refused(C.ACCOUNT_CLOSED)
    if "FROZEN" in (debit.status, credit.status):
        raise Refused(C.ACCOUNT_FROZEN)
