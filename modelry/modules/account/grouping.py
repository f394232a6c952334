"""`submit` calls made outside a transaction, merged: concurrent callers' batches become
one batch in one transaction (modelry's GroupCommit), each caller answered for its own
transfers. A call made inside a transaction is applied there, alone, as part of it."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelry import GroupCommit
from modelry.modules.account import functions, store
from modelry.modules.account.models import TransferResult

MAX_BATCH = 8_000


def apply_groups(groups: list[list[Any]]) -> list[list[TransferResult]]:
    """Each caller's transfers (`account.TransferRequest` records or dicts), applied as
    one batch; a call whose last transfer is linked (its chain left open) is applied
    apart, so that the chain fails as it would alone."""
    merged: list[Any] = []
    refused: dict[int, str] = {}
    spans: list[tuple[int, int]] = []
    apart: dict[int, list[Any]] = {}
    for number, group in enumerate(groups):
        requests, codes = store.to_requests(group)
        if requests and requests[-1].linked:
            apart[number] = functions.apply(requests, codes)
            spans.append((0, 0))
            continue
        spans.append((len(merged), len(requests)))
        refused.update({len(merged) + index: code for index, code in codes.items()})
        merged += requests
    results = functions.apply(merged, refused) if merged else []
    answers = []
    for number, (start, count) in enumerate(spans):
        own = apart.get(number, results[start:start + count])
        answers.append([TransferResult(index=result.index - start, key=result.key,
                                       code=result.code, transfer_id=result.transfer_id)
                        for result in own])
    return answers


group_commit: GroupCommit[Any, TransferResult] = GroupCommit(apply_groups, MAX_BATCH)


def submit_grouped(transfers: Sequence[Any]) -> list[TransferResult]:
    """Apply one caller's transfers, merged with concurrent callers' (see the doc)."""
    return group_commit(transfers)
