"""What a client may not write, whatever rights it holds: transfers and entries are
immutable (money moves only through `submit`, a correction is a new transfer), and refund
requests and their log change only through their functions. Back-end code (the engine,
a DBA's tools) writes them as it needs."""
from __future__ import annotations

from modelry import Call, DataError, hook

WRITES = frozenset({"create", "createBatch", "update", "updateById", "updateBatch",
                    "delete", "deleteById", "deleteBatch"})
GUARDED = ("account.Transfer", "account.Entry", "account.RefundRequest",
           "account.RefundRequestEvent")


def _refuse_client_writes(call: Call) -> None:
    if call.from_client and call.fun in WRITES:
        raise DataError(f"{call.namespace}: records are written by the ledger only (a "
                        f"correction is a new transfer); {call.fun} is refused",
                        code="LEDGER_RECORD_IMMUTABLE", model=call.namespace)


for _model in GUARDED:
    hook.before(priority=1, model=_model)(_refuse_client_writes)
