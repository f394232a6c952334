"""Errors modelry raises: each carries a code and names the model, field or function."""
from __future__ import annotations

from typing import Any


class ModelryError(Exception):
    """Base error: a stable `code`, a human message, and what it is about."""

    code = "MODELRY_ERROR"

    def __init__(self, message: str, *, code: str | None = None, model: str | None = None,
                 field: str | None = None, module: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.model = model
        self.field = field
        self.module = module

    def to_dict(self) -> dict[str, Any]:
        """The error as a message entry (code, message, model, field)."""
        return {"code": self.code, "message": self.message, "model": self.model,
                "field": self.field}


class DeclarationError(ModelryError):
    """A module or model declaration is invalid."""

    code = "DECLARATION_ERROR"


class ModuleError(DeclarationError):
    """Modules cannot be loaded: missing dependency, cycle, duplicate code."""

    code = "MODULE_ERROR"


class ConfigError(ModelryError):
    """The configuration is invalid."""

    code = "CONFIG_ERROR"


class DataError(ModelryError):
    """A data-manager call was refused."""

    code = "DATA_ERROR"


class NoActiveApplication(DataError):
    """A data-manager call ran with no booted application."""

    code = "NO_APPLICATION"


class RecordNotFound(DataError):
    """No record has the given id."""

    code = "RECORD_NOT_FOUND"


class IntegrityViolation(DataError):
    """The database refused a write (unique, foreign key, not null)."""

    code = "INTEGRITY_VIOLATION"


class OptimisticLockError(DataError):
    """Rows were changed by someone else since the caller read them."""

    code = "OPTIMISTIC_LOCK"

    def __init__(self, message: str, *, model: str, stale_ids: list[Any]) -> None:
        super().__init__(message, model=model)
        self.stale_ids = stale_ids


class ValidationFailed(DataError):
    """Record values failed validation; `errors` holds every problem found."""

    code = "VALIDATION_FAILED"

    def __init__(self, model: str, errors: list[dict[str, Any]]) -> None:
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        super().__init__(f"{model}: {summary}", model=model,
                         field=errors[0]["field"] if len(errors) == 1 else None)
        self.errors = errors


class UniqueViolation(IntegrityViolation):
    """A value of a unique field (or set of fields) is already used; `fields` names them
    (`field` too, when there is one)."""

    code = "UNIQUE_VIOLATION"

    def __init__(self, message: str, *, fields: tuple[str, ...] = (), **named: Any) -> None:
        super().__init__(message, **named)
        self.fields = fields or ((self.field,) if self.field else ())


class ForeignKeyViolation(IntegrityViolation):
    """A many-to-one names a record that does not exist."""

    code = "FOREIGN_KEY_VIOLATION"


class RecordReferenced(IntegrityViolation):
    """A record cannot go: others still refer to it (`on_delete="RESTRICT"`)."""

    code = "RECORD_REFERENCED"


class NotNullViolation(IntegrityViolation):
    """A required column was left empty."""

    code = "NOT_NULL_VIOLATION"


class ConditionFailed(DataError):
    """A batch write found records gone, hidden by record rules, or failing its guard, and
    wrote none: `missing` and `refused` hold their ids."""

    code = "CONDITION_FAILED"

    def __init__(self, message: str, *, model: str, missing: list[Any],
                 refused: list[Any]) -> None:
        super().__init__(message, model=model)
        self.missing = missing
        self.refused = refused
