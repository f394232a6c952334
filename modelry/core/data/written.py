"""Whether a written record already holds what a read of its row would show.

MariaDB has no UPDATE … RETURNING, so an updated record is read again before it is
answered; elsewhere the write returns its whole row. When every attribute the caller will
read is the id or a value the write set, of a type the database stores exactly as sent,
neither is needed: the caller marks the record (`answer_from_values`) before the write,
which then returns only its key (an INSERT) or nothing (an UPDATE), and checks it again
after (`holds_as_stored`: a hook may have changed the record since). Hooks that run after
the write change the RETURNING row no more than these values.
"""
from __future__ import annotations

from typing import Any, Collection

from modelry.core.fields import BigInteger, Boolean, Integer, ManyToOne, String, Text
from modelry.core.registry import ModelMeta

ASKED, WRITTEN = "asked", "written"  # a record's mark: to write key-only, written so
# exact types (not subclasses): a Secret is a String sealed at rest
STORED_AS_SENT = (String, Text, Integer, BigInteger, Boolean)


def answer_from_values(meta: ModelMeta, record: Any, attributes: Collection[str],
                       write_transforms: dict[tuple[str, str], Any]) -> None:
    """Mark `record`, about to be written, to be answered from its values when they hold
    each of `attributes` as they will be stored."""
    marked = _holds(meta, record, attributes, write_transforms)
    object.__setattr__(record, "_key_only", ASKED if marked else None)


def key_only(record: Any) -> bool:
    """Whether this write of `record` may return only its key (see answer_from_values):
    True once, for the first write after the mark."""
    if getattr(record, "_key_only", None) is not ASKED:
        return False
    object.__setattr__(record, "_key_only", WRITTEN)
    return True


def holds_as_stored(meta: ModelMeta, record: Any, attributes: Collection[str],
                    write_transforms: dict[tuple[str, str], Any]) -> bool:
    """Whether `record`, written since it was marked, holds each of `attributes` as stored
    (a field's name, or `<name>_id` for a many-to-one's key)."""
    if getattr(record, "_key_only", None) is not WRITTEN or record._changed:
        return False  # not written so, or changed again since (e.g. by a hook)
    return _holds(meta, record, attributes, write_transforms)


def _holds(meta: ModelMeta, record: Any, attributes: Collection[str],
           write_transforms: dict[tuple[str, str], Any]) -> bool:
    values = record._values
    for attribute in attributes:
        if attribute == "id":
            continue
        field = _field(meta, attribute)
        if field is None or attribute not in values or \
                (meta.code, field.name) in write_transforms:
            return False
        value = values[attribute]
        if isinstance(field, ManyToOne):
            if value is not None and type(value) is not int:  # (a record to create)
                return False
        elif type(field) not in STORED_AS_SENT or field.name == "opt_version" or \
                (value is not None and type(value) is not field.python_type):
            return False  # (the write's checks would convert it)
    return True


def _field(meta: ModelMeta, attribute: str) -> Any:
    """The stored field whose column is `attribute`, None if there is none."""
    field = meta.fields.get(attribute)
    if field is None and attribute.endswith("_id"):
        field = meta.fields.get(attribute[:-3])
    return field if field is not None and field.stored and field.column == attribute else None
