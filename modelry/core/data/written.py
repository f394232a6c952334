"""Whether a written record already holds what a read of its row would show.

MariaDB has no UPDATE … RETURNING, so an updated record is read again before it is
answered. When every attribute the caller will read is the id or a value the UPDATE set,
of a type the database stores exactly as sent, that read would return what the record
holds: the row is not read again (on PostgreSQL the RETURNING row is what the UPDATE
wrote too: hooks that run after it change neither).
"""
from __future__ import annotations

from typing import Any, Collection

from modelry.core.fields import BigInteger, Boolean, Integer, ManyToOne, String, Text
from modelry.core.registry import ModelMeta

# exact types (not subclasses): a Secret is a String sealed at rest
STORED_AS_SENT = (String, Text, Integer, BigInteger, Boolean)


def holds_as_stored(meta: ModelMeta, record: Any, attributes: Collection[str],
                    write_transforms: dict[tuple[str, str], Any]) -> bool:
    """Whether `record`, just written, holds each of `attributes` as stored (a field's
    name, or `<name>_id` for a many-to-one's key)."""
    if record._changed:  # changed again after the write (e.g. by a hook)
        return False
    values = record._values
    for attribute in attributes:
        if attribute == "id":
            continue
        field = _field(meta, attribute)
        if field is None or attribute not in values or \
                (meta.code, field.name) in write_transforms:
            return False
        if isinstance(field, ManyToOne):
            if type(values[attribute]) is not int:
                return False
        elif type(field) not in STORED_AS_SENT or field.name == "opt_version":
            return False
    return True


def _field(meta: ModelMeta, attribute: str) -> Any:
    """The stored field whose column is `attribute`, None if there is none."""
    field = meta.fields.get(attribute)
    if field is None and attribute.endswith("_id"):
        field = meta.fields.get(attribute[:-3])
    return field if field is not None and field.stored and field.column == attribute else None
