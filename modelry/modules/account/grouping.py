"""`submit` calls made outside a transaction, merged: concurrent callers' batches become
one batch in one transaction (modelry's GroupCommit), each caller answered for its own
transfers. A call made inside a transaction is applied there, alone, as part of it."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelry import GroupCommit
from modelry.modules.account import codes as C
from modelry.modules.account import functions, store
from modelry.modules.account.models import TransferResult

MAX_BATCH = 8_000


def apply_groups(groups: list[list[Any]]) -> list[list[TransferResult]]:
    """Each caller's transfers (`account.TransferRequest` records or dicts), applied as
    one batch. A call's last chain left open (its last transfer linked) fails there, as
    it would alone: it must not run on into the next call's transfers."""
    requests, refused = store.to_requests([item for group in groups for item in group])
    merged: list[Any] = []
    merged_refused: dict[int, str] = {}
    spans: list[tuple[int, int, int]] = []  # (start in merged, applied, left open)
    start = 0
    for group in groups:
        own = requests[start:start + len(group)]
        open_tail = _open_chain(own)
        applied = len(own) - open_tail
        merged_refused.update({len(merged) + index - start: code
                               for index, code in refused.items()
                               if start <= index < start + applied})
        spans.append((len(merged), applied, open_tail))
        merged += own[:applied]
        start += len(group)
    results = functions.apply(merged, merged_refused) if merged else []
    answers = []
    start = 0
    for group, (first, applied, open_tail) in zip(groups, spans, strict=True):
        answer = [TransferResult(index=result.index - first, key=result.key,
                                 code=result.code, transfer_id=result.transfer_id)
                  for result in results[first:first + applied]]
        for index in range(applied, applied + open_tail):
            code = C.LINKED_EVENT_CHAIN_OPEN if index == len(group) - 1 else \
                C.LINKED_EVENT_FAILED
            answer.append(TransferResult(index=index, key=requests[start + index].key,
                                         code=code, transfer_id=None))
        answers.append(answer)
        start += len(group)
    return answers


def _open_chain(requests: list[Any]) -> int:
    """How many transfers end `requests` in a chain left open (0 when the last is not
    linked)."""
    if not requests or not requests[-1].linked:
        return 0
    count = 1
    while count < len(requests) and requests[-count - 1].linked:
        count += 1
    return count


group_commit: GroupCommit[Any, TransferResult] = GroupCommit(apply_groups, MAX_BATCH)


def submit_grouped(transfers: Sequence[Any]) -> list[TransferResult]:
    """Apply one caller's transfers, merged with concurrent callers' (see the doc)."""
    return group_commit(transfers)
