"""What a boot did, and the refusal it raises when it must not go on."""
from __future__ import annotations

from dataclasses import dataclass, field

from modelry.errors import ModelryError


class BootRefused(ModelryError):
    """The boot stopped on purpose: destructive changes, fingerprint mismatch, no schema."""

    code = "BOOT_REFUSED"

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message + "".join(f"\n  - {reason}" for reason in reasons))
        self.reasons = reasons


class BootFailed(ModelryError):
    """The database refused part of the boot (e.g. data that does not fit a narrowed column)."""

    code = "BOOT_FAILED"


@dataclass
class BootReport:
    """The summary `modelry boot` prints."""

    lifecycle: str
    installed: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)
    reloaded: list[str] = field(default_factory=list)
    tables_created: int = 0
    tables_altered: int = 0
    schema_steps: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    metadata_statements: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    ddl: str | None = None
    ddl_changes: bool = False   # DDL: the script holds statements (not only comments)
    seconds: float = 0.0

    def summary(self) -> str:
        """One paragraph for people."""
        if self.ddl is not None:
            parts = [self._ddl_line()]
        else:
            parts = [f"{self.lifecycle}: modules installed {len(self.installed)}, "
                     f"upgraded {len(self.upgraded)}, reloaded {len(self.reloaded)}; "
                     f"tables created {self.tables_created}, altered {self.tables_altered}; "
                     f"rows loaded {self.rows_created + self.rows_updated} "
                     f"({self.rows_created} new); {self.seconds:.2f}s"]
        if self.left_out:
            parts.append(f"left out by the build mode: {'; '.join(self.left_out)}")
        parts.extend(f"warning: {warning}" for warning in self.warnings)
        return "\n".join(parts)

    def _ddl_line(self) -> str:
        if not self.ddl_changes:
            return (f"{self.lifecycle}: no changes: the database already matches the code; "
                    f"{self.seconds:.2f}s")
        return (f"{self.lifecycle}: the script installs {len(self.installed)} module(s) and "
                f"upgrades {len(self.upgraded)}; tables created {self.tables_created}, "
                f"altered {self.tables_altered}; metadata statements "
                f"{self.metadata_statements}; data rows {self.rows_created} new, "
                f"{self.rows_updated} updated; {self.seconds:.2f}s")
