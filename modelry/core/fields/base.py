"""The field base class: options, binding to a model, value conversion."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from modelry.errors import DeclarationError

class _Nothing:
    """The marker for "no default declared"."""

    def __repr__(self) -> str:
        return "NOTHING"

    def __bool__(self) -> bool:
        return False


NOTHING: Any = _Nothing()

COMMON_OPTIONS = frozenset(
    {"required", "default", "unique", "index", "readonly", "display_name", "help", "write_only",
     "renamed_from"})


class Field:
    """A declared field. Subclasses set `kind`, `python_type` and extra options.

    A Field declared on a class is a descriptor: reading it on a record returns the
    record's value. The registry binds a copy of each field to its model.
    """

    kind: ClassVar[str] = "field"
    python_type: ClassVar[Any] = object
    extra_options: ClassVar[frozenset[str]] = frozenset()
    stored: ClassVar[bool] = True      # has a column in the model's table
    relational: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.name: str = ""
        self.model: str = ""
        self.system = options.pop("_system", False)
        self.unknown_options = sorted(set(options) - COMMON_OPTIONS - self.extra_options)
        self.required: bool = bool(options.get("required", False))
        self.default: Any = options.get("default", NOTHING)
        self.unique: bool = bool(options.get("unique", False))
        self.index: bool = bool(options.get("index", False))
        self.readonly: bool = bool(options.get("readonly", False))
        self.write_only: bool = bool(options.get("write_only", False))  # never read by clients
        self.display_name: str | None = options.get("display_name")
        self.help: str | None = options.get("help")
        # the field's name before: the boot renames its column instead of drop + add
        self.renamed_from: str | None = options.get("renamed_from")
        self.options = options

    # descriptor protocol: records keep values in a dict
    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, record: Any, owner: type | None = None) -> Any:
        if record is None:
            return self
        # a value the record holds under this name is a plain field's (a ManyToOne holds
        # its id under `<name>_id`, other relations none): no need to find the field in
        # the active registry, which costs more than the read
        value = record._values.get(self.name, NOTHING)
        return record._get(self.name) if value is NOTHING else value

    def __set__(self, record: Any, value: Any) -> None:
        record._set(self.name, value)

    def bind(self, model: str, name: str) -> Field:
        """A copy of this field belonging to `model` under `name`."""
        bound = copy.copy(self)
        bound.model, bound.name = model, name
        return bound

    def check_declaration(self, module: str, model: str) -> None:
        """Raise DeclarationError for options this field type does not take."""
        if self.unknown_options:
            raise DeclarationError(
                f"{module}: model {model}, field {self.name!r}: unknown option(s) "
                f"{', '.join(self.unknown_options)} for {type(self).__name__}",
                module=module, model=model, field=self.name)

    @property
    def column(self) -> str:
        """The column holding this field's value."""
        return self.name

    @property
    def label(self) -> str:
        """Display name, or the name."""
        return self.display_name or self.name

    def has_default(self) -> bool:
        """True when a default value or factory is declared."""
        return self.default is not NOTHING

    def default_value(self) -> Any:
        """The default: called when it is a factory."""
        value = self.default
        return value() if isinstance(value, Callable) and not isinstance(value, type) else value

    def static_default(self) -> Any:
        """The default when it is a constant a database column can hold, else NOTHING."""
        if self.default is NOTHING or callable(self.default):
            return NOTHING
        return self.to_db(self.default)

    def to_db(self, value: Any) -> Any:
        """Python value → value bound to SQL."""
        return value

    def from_db(self, value: Any) -> Any:
        """Value read from SQL → Python value."""
        return value

    @property
    def previous_column(self) -> str | None:
        """The column this field had under its `renamed_from` name, or None."""
        if not self.renamed_from:
            return None
        previous = copy.copy(self)
        previous.name = self.renamed_from
        return previous.column

    def describe(self) -> dict[str, Any]:
        """Schema-relevant metadata (used for the fingerprint and persisted metadata)."""
        info: dict[str, Any] = {"name": self.name, "kind": self.kind, "column": self.column,
                                "required": self.required, "unique": self.unique,
                                "index": self.index}
        static = self.static_default()
        if static is not NOTHING:
            info["default"] = repr(static)
        return info

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model}.{self.name}>"
