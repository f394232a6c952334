"""What a client may write: never a new record's id, the audit fields, a new record's
version, or a field declared `readonly=True`. Back-end code and data files may write them
all; the GraphQL gateway (and any other front door) checks what a client sent before a
hook or a function body sees it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from modelry.core.registry import ModelMeta
from modelry.errors import DataError

AUDIT_FIELDS = frozenset({"create_date", "write_date", "create_uid", "write_uid"})
Intent = Literal["create", "update"]


def refuse_client_values(meta: ModelMeta, sent: Mapping[str, Any], intent: Intent) -> None:
    """Raise a DataError naming the first field of `sent` (field name → value sent) that a
    client may not give when it creates or updates (`intent`) a record of `meta`.

    A null id, version or audit field is what an unsaved record holds: it writes nothing
    and is let through. An update names its record by id and carries the version it read.
    """
    for name, value in sent.items():
        field = meta.fields.get(name)
        if field is None:
            continue
        if field.system:
            if value is None or (intent == "update" and name in ("id", "opt_version")):
                continue
            if name == "id":
                raise DataError(f"{meta.code}.id: a client cannot choose the id of a new "
                                "record; the database assigns it", code="ID_NOT_ALLOWED",
                                model=meta.code, field="id")
            what = "audit field" if name in AUDIT_FIELDS else "version of a new record"
            raise DataError(f"{meta.code}.{name}: the server sets this {what}; a client "
                            "cannot write it", code="FIELD_NOT_WRITABLE", model=meta.code,
                            field=name)
        if field.readonly:
            raise DataError(f"{meta.code}.{name} is read-only: a client cannot write it "
                            f"(on {intent})", code="FIELD_NOT_WRITABLE", model=meta.code,
                            field=name)
