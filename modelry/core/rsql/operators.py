"""The RSQL operators: spellings, which are negations, and which field kinds take them.

Every negated operator matches exactly the records its positive form does not match,
so a column holding NULL ("no value") matches the negated form: `a!=x` is
`a <> x OR a IS NULL`, `=out=` is `NOT IN … OR IS NULL`, `=isnull=true` is the negation of
`=notnull=true`. Across relations the negation wraps the whole EXISTS (`NOT EXISTS`).
"""
from __future__ import annotations

from dataclasses import dataclass

ALL_KINDS = frozenset({
    "string", "text", "integer", "biginteger", "float", "decimal", "money", "boolean", "date",
    "datetime", "time", "enum", "json", "binary", "many2one"})
COMPARABLE = ALL_KINDS - {"json", "binary"}
ORDERED = COMPARABLE - {"boolean"}
TEXT_LIKE = frozenset({"string", "text", "enum"})  # enum only when its values are strings


@dataclass(frozen=True)
class Operator:
    """One operator: its canonical name, its positive form, and what it applies to."""

    name: str
    positive: str            # the operator this one negates (itself when positive)
    kinds: frozenset[str]
    takes_list: bool = False
    column_argument: bool = False   # the value names another column (=cole=, =colnot=)

    @property
    def negated(self) -> bool:
        """True for the negated forms (`!=`, `=out=`, `=notlike=`, ...)."""
        return self.positive != self.name


def _table(*operators: Operator) -> dict[str, Operator]:
    return {operator.name: operator for operator in operators}


OPERATORS = _table(
    Operator("==", "==", COMPARABLE),
    Operator("!=", "==", COMPARABLE),
    Operator("=lt=", "=lt=", ORDERED),
    Operator("=le=", "=le=", ORDERED),
    Operator("=gt=", "=gt=", ORDERED),
    Operator("=ge=", "=ge=", ORDERED),
    Operator("=in=", "=in=", COMPARABLE, takes_list=True),
    Operator("=out=", "=in=", COMPARABLE, takes_list=True),
    Operator("=notnull=", "=notnull=", ALL_KINDS),
    Operator("=isnull=", "=notnull=", ALL_KINDS),
    Operator("=like=", "=like=", TEXT_LIKE),
    Operator("=notlike=", "=like=", TEXT_LIKE),
    Operator("=ilike=", "=ilike=", TEXT_LIKE),   # contains, ignoring case on every database
    Operator("=notilike=", "=ilike=", TEXT_LIKE),
    Operator("=starts=", "=starts=", TEXT_LIKE),
    Operator("=notstarts=", "=starts=", TEXT_LIKE),
    Operator("=ends=", "=ends=", TEXT_LIKE),
    Operator("=notends=", "=ends=", TEXT_LIKE),
    Operator("=cole=", "=cole=", COMPARABLE, column_argument=True),
    Operator("=colnot=", "=cole=", COMPARABLE, column_argument=True),
)

ALIASES = {"<": "=lt=", "<=": "=le=", ">": "=gt=", ">=": "=ge="}


def canonical(spelling: str) -> str | None:
    """The canonical name of an operator spelling (`<` → `=lt=`), or None if unknown."""
    name = ALIASES.get(spelling, spelling.lower())
    return name if name in OPERATORS else None


def is_text_like(field: object) -> bool:
    """True for fields LIKE patterns apply to: strings, texts, string-valued enums."""
    kind = getattr(field, "kind", "")
    return kind in ("string", "text") or (kind == "enum" and not field.int_values)
