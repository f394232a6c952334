"""RSQL errors: each kind has its own code, the position in the text, and model/field names."""
from __future__ import annotations

from typing import Any

from modelry.errors import DataError


class RsqlError(DataError):
    """An RSQL filter or sort was refused; `position` is a 0-based offset in the text."""

    code = "RSQL_ERROR"

    def __init__(self, message: str, *, position: int | None = None, model: str | None = None,
                 field: str | None = None) -> None:
        where = "" if position is None else f" (at position {position})"
        super().__init__(f"{message}{where}", model=model, field=field)
        self.reason = message
        self.position = position

    def to_dict(self) -> dict[str, Any]:
        """The error as a message entry, with its position."""
        return {**super().to_dict(), "position": self.position}


class RsqlSyntaxError(RsqlError):
    """The text does not follow the RSQL grammar."""

    code = "RSQL_SYNTAX"


class RsqlLimitError(RsqlError):
    """The text exceeds a configured limit (`RsqlLimits`)."""

    code = "RSQL_LIMIT"


class RsqlTooLong(RsqlLimitError):
    """The text is longer than `max_length` characters."""

    code = "RSQL_TOO_LONG"


class RsqlTooDeep(RsqlLimitError):
    """Parentheses nest deeper than `max_depth`."""

    code = "RSQL_TOO_DEEP"


class RsqlTooManyValues(RsqlLimitError):
    """An `=in=`/`=out=` list holds more than `max_in_items` values."""

    code = "RSQL_TOO_MANY_VALUES"


class RsqlPathTooLong(RsqlLimitError):
    """A selector or sort key crosses more than `max_path_hops` relations."""

    code = "RSQL_PATH_TOO_LONG"


class RsqlUnknownOperator(RsqlError):
    """The operator is not one RSQL knows."""

    code = "RSQL_UNKNOWN_OPERATOR"


class RsqlArgumentError(RsqlError):
    """The operator got a list where it takes one value (or the reverse)."""

    code = "RSQL_BAD_ARGUMENTS"


class RsqlUnknownField(RsqlError):
    """A selector names no field of the model (or crosses a field that is not a relation)."""

    code = "RSQL_UNKNOWN_FIELD"


class RsqlOperatorNotAllowed(RsqlError):
    """The operator does not apply to the field's type."""

    code = "RSQL_OPERATOR_NOT_ALLOWED"


class RsqlValueError(RsqlError):
    """A value does not convert to the field's type."""

    code = "RSQL_BAD_VALUE"


class RsqlUnknownPlaceholder(RsqlError):
    """A `$#{name}` placeholder has no value in the placeholders mapping."""

    code = "RSQL_UNKNOWN_PLACEHOLDER"


class RsqlSortError(RsqlError):
    """A sort item is malformed or names a field that cannot be sorted on."""

    code = "RSQL_BAD_SORT"
