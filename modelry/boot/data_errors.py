"""The error a module's data files raise: it names the module, file, line, entry and field."""
from __future__ import annotations

from typing import Any

from modelry.errors import DataError


class DataFileError(DataError):
    """A module's data file could not be loaded; nothing of that module's data was kept."""

    code = "DATA_FILE_ERROR"

    def __init__(self, problem: str, *, module: str, file: str, line: int | None = None,
                 entry: str | None = None, model: str | None = None,
                 field: str | None = None, code: str | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        where = f"{module}: data file {file}"
        if line is not None:
            where += f", line {line}"
        if entry:
            where += f", entry {module}.{entry}"
            if model:
                where += f" ({model})"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}", code=code, model=model, field=field,
                         module=module)
        self.problem = problem
        self.file = file
        self.line = line
        self.entry = entry
        self.errors = errors or []

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "module": self.module, "file": self.file,
                "line": self.line, "entry": self.entry}
