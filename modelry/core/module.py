"""Module declarations: `Module("petstore", version=..., depends=[...])`."""
from __future__ import annotations

import sys
from collections.abc import Sequence

from modelry.core.naming import is_identifier
from modelry.errors import ModuleError


class Module:
    """A business module: a code, a version, its dependencies and its data files.

    The Python package that creates the Module owns it: models whose code starts with
    the module code belong to it, and model extensions declared in that package do too.
    """

    def __init__(self, name: str, version: str = "1.0.0", depends: Sequence[str] = (),
                 display_name: str | None = None, data: Sequence[str] = (),
                 package: str | None = None) -> None:
        if not isinstance(name, str) or not is_identifier(name):
            raise ModuleError(f"module code {name!r} must be snake_case (a-z, 0-9, _)",
                              module=str(name))
        if isinstance(depends, str):
            raise ModuleError(f"module {name}: depends must be a list of module codes",
                              module=name)
        self.name = name
        self.version = version
        self.depends = list(depends)
        self.display_name = display_name or name
        self.data = list(data)
        self.package = package or sys._getframe(1).f_globals.get("__name__", name)

    def version_tuple(self) -> tuple[int, ...]:
        """The version as comparable integers: `1.2.10` → (1, 2, 10)."""
        return tuple(int(part) if part.isdigit() else 0 for part in self.version.split("."))

    def owns_python_module(self, python_module: str) -> bool:
        """True when `python_module` is this module's package or inside it."""
        return python_module == self.package or python_module.startswith(self.package + ".")

    def __repr__(self) -> str:
        return f"<Module {self.name} {self.version}>"
