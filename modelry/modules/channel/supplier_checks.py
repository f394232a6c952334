"""A supplier's mapping is checked when a client writes it: an after-hook on the built-in
writes of `channel.Supplier` refuses (MAPPING_INVALID, naming the first bad path; the call
is undone) a mapping with problems (`mapping.check`). Back-end code writing a supplier runs
no hooks unless its directives ask for HOOK; `check_supplier` checks a stored one."""
from __future__ import annotations

from typing import Any

from modelry import Call, DataError, hook
from modelry.modules.channel import mapping
from modelry.modules.channel.suppliers import Supplier

WRITES = frozenset({"create", "createBatch", "update", "updateById", "updateBatch"})


@hook.after(priority=50, model="channel.Supplier")
def _check_written_mapping(call: Call, result: Any) -> None:
    if call.fun not in WRITES:
        return
    found: list[Any] = []
    for argument in call.args:
        found += list(argument) if isinstance(argument, list | tuple) else [argument]
    for record in found:
        stored = None if getattr(record, "id", None) is None else \
            Supplier.query_by_id(record.id)
        problems = [] if stored is None else mapping.check(stored.mapping or {})
        if problems:
            raise DataError(f"channel.Supplier {stored.code!r}: its mapping is invalid: "
                            f"{problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                if len(problems) > 1 else ""),
                            code=mapping.MAPPING_INVALID, model="channel.Supplier",
                            field="mapping")
