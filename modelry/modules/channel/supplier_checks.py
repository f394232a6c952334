"""A supplier is checked when a client writes it: an after-hook on the built-in writes of
`channel.Supplier` refuses (the call is undone) a kind that is not registered
(SUPPLIER_KIND_UNKNOWN, naming `kind`) and, for a supplier of kind "mapping", a mapping
with problems (MAPPING_INVALID, naming the first bad path; `mapping.check`). A coded
supplier needs no mapping: its provider is its API. Back-end code writing a supplier runs
no hooks unless its directives ask for HOOK; `check_supplier` checks a stored one."""
from __future__ import annotations

from typing import Any

from modelry import Call, DataError, hook
from modelry.modules.channel import mapping, providers
from modelry.modules.channel.suppliers import Supplier

WRITES = frozenset({"create", "createBatch", "update", "updateById", "updateBatch"})


@hook.after(priority=50, model="channel.Supplier")
def _check_written_supplier(call: Call, result: Any) -> None:
    if call.fun not in WRITES:
        return
    found: list[Any] = []
    for argument in call.args:
        found += list(argument) if isinstance(argument, list | tuple) else [argument]
    for record in found:
        stored = None if getattr(record, "id", None) is None else \
            Supplier.query_by_id(record.id)
        if stored is not None:
            _check(stored)


def _check(stored: Any) -> None:
    kind = providers.kind_problem(stored.kind)
    if kind is not None:
        raise DataError(f"channel.Supplier {stored.code!r}: its kind {kind}",
                        code=providers.SUPPLIER_KIND_UNKNOWN, model="channel.Supplier",
                        field="kind")
    problems = [] if providers.is_coded(stored) else mapping.check(stored.mapping or {})
    if problems:
        raise DataError(f"channel.Supplier {stored.code!r}: its mapping is invalid: "
                        f"{problems[0]}" + (f" (and {len(problems) - 1} more)"
                                            if len(problems) > 1 else ""),
                        code=mapping.MAPPING_INVALID, model="channel.Supplier",
                        field="mapping")
