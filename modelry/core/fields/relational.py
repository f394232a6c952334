"""Relation fields: ManyToOne, OneToMany, ManyToMany."""
from __future__ import annotations

from typing import Any

from modelry.core.fields.base import Field
from modelry.core.naming import is_model_code

ON_DELETE = ("SET NULL", "RESTRICT", "CASCADE")


class Relation(Field):
    """A field pointing at another model by its code."""

    relational = True

    def __init__(self, target: str, **options: Any) -> None:
        super().__init__(**options)
        self.target = target

    def target_problem(self) -> str | None:
        """A description of what is wrong with the target code, or None."""
        if not isinstance(self.target, str) or not is_model_code(self.target):
            return f"target {self.target!r} is not a model code like 'module.ModelName'"
        return None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "target": self.target}


class ManyToOne(Relation):
    """A reference to one record of `target`; column `<field>_id`, indexed.

    `constraint=False` keeps the reference without a database foreign key (Django's
    `db_constraint=False`), for append-only tables written in bulk, where the per-row
    trigger of a foreign key costs more than the insert: the data manager then checks the
    targets once per statement (locking them against deletion until the transaction
    ends), and a delete of a target still referenced is refused (on_delete RESTRICT).
    """

    kind = "many2one"
    python_type = int
    extra_options = frozenset({"on_delete", "constraint"})

    def __init__(self, target: str, on_delete: str | None = None, constraint: bool = True,
                 **options: Any) -> None:
        options.setdefault("index", True)
        super().__init__(target, **options)
        if on_delete is None:
            on_delete = "SET NULL" if constraint else "RESTRICT"
        self.on_delete = str(on_delete).upper()
        self.constraint = bool(constraint)

    def target_problem(self) -> str | None:
        if self.on_delete not in ON_DELETE:
            return f"on_delete must be one of {', '.join(ON_DELETE)}, got {self.on_delete!r}"
        if not self.constraint and self.on_delete != "RESTRICT":
            return (f"constraint=False keeps the reference in software, which refuses the "
                    f"delete of a referenced record: on_delete must be RESTRICT, got "
                    f"{self.on_delete!r}")
        return super().target_problem()

    @property
    def column(self) -> str:
        return f"{self.name}_id"

    def describe(self) -> dict[str, Any]:
        described = {**super().describe(), "on_delete": self.on_delete}
        if not self.constraint:
            described["constraint"] = False
        return described


class OneToMany(Relation):
    """The records of `target` whose ManyToOne `inverse` points here. No column."""

    kind = "one2many"
    python_type = list
    stored = False
    extra_options = frozenset({"inverse"})

    def __init__(self, target: str, inverse: str | None = None, **options: Any) -> None:
        super().__init__(target, **options)
        self.inverse = inverse

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "inverse": self.inverse}


class ManyToMany(Relation):
    """Records of `target` linked through a join table.

    The join table is generated (`<table>_<field>_rel`) unless `through` names a model
    with a ManyToOne to each side. `inverse` names the ManyToMany on the other model
    whose join table this field shares (read from the other side).
    """

    kind = "many2many"
    python_type = list
    stored = False
    extra_options = frozenset({"through", "inverse"})

    def __init__(self, target: str, through: str | None = None, inverse: str | None = None,
                 **options: Any) -> None:
        super().__init__(target, **options)
        self.through = through
        self.inverse = inverse
        # filled by the registry: the join table and its two columns
        self.join_table: str = ""
        self.source_column: str = ""
        self.target_column: str = ""

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "through": self.through, "inverse": self.inverse,
                "join_table": self.join_table, "source_column": self.source_column,
                "target_column": self.target_column}
