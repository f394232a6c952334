"""Model declarations collected as classes are defined; the registry reads them at boot."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelry.core.fields import Field

KINDS = ("store", "abstract", "transient", "proxy")


@dataclass
class Declaration:
    """What one class statement declared."""

    code: str                      # model code; for an extension, the extended model's
    kind: str                      # store | abstract | transient | proxy | extension
    cls: type
    fields: dict[str, Field]
    python_module: str
    optimistic_lock: bool = False
    display_name: str | None = None
    proxy_of: str | None = None
    module_hint: str | None = None  # explicit owning module (extensions)
    unique: tuple[tuple[str, ...], ...] = ()  # sets of field names unique together
    technical_name: str | None = None  # `name=`: its own GraphQL name (else from the code)
    indexes: tuple[tuple[str, ...], ...] = ()  # `indexes=`: indexes over several columns
    archived: str | None = None  # `archived=`: the Boolean field of the recycle bin
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_extension(self) -> bool:
        """True for `inherit=` declarations that add fields to another model."""
        return self.kind == "extension"

    @property
    def where(self) -> str:
        """`package.module.ClassName` for error messages."""
        return f"{self.python_module}.{self.cls.__qualname__}"


_declarations: list[Declaration] = []


def declare(declaration: Declaration) -> None:
    """Record a declaration; re-defining the same class (a re-import) replaces it."""
    for index, known in enumerate(_declarations):
        if known.where == declaration.where and known.code == declaration.code:
            _declarations[index] = declaration
            return
    _declarations.append(declaration)


def declarations() -> list[Declaration]:
    """Every declaration seen so far, in definition order."""
    return list(_declarations)


def forget(module: str) -> int:
    """Drop the declarations of models of `module` (and its extensions); returns how many.

    For tests and tools that declare a module's models anew in one process (e.g. a v2 of
    a model after booting v1).
    """
    from modelry.core.naming import module_of
    before = len(_declarations)
    _declarations[:] = [d for d in _declarations if not (
        (not d.is_extension and module_of(d.code) == module) or d.module_hint == module)]
    return before - len(_declarations)


_behaviours: list[tuple[str, Any]] = []  # (python module, HookMeta | ExtensionMeta | service)


def declare_behaviour(python_module: str, item: Any) -> None:
    """Record a hook, extension implementation or service function declared in a module."""
    _behaviours.append((python_module, item))


def behaviours() -> list[tuple[str, Any]]:
    """Every behaviour declared so far."""
    return list(_behaviours)
