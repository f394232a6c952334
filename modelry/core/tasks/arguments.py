"""A queued call's arguments as JSON, and back.

Plain JSON values pass as they are; Decimal, datetime, date, time, enums and records
travel tagged (`{"$decimal": "1.50"}`, `{"$record": "demo.PetShop", "id": 7}`), so the
task receives what its caller passed — a record is read again when the task runs.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import importlib
from typing import Any

from modelry.core.tasks.contract import PermanentTaskFailure, TaskError

TAG = "$"


def encode(value: Any, where: str) -> Any:
    """`value` as JSON-ready data; a TaskError names `where` for a value it cannot carry."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, enum.Enum):
        kind = type(value)
        return {"$enum": f"{kind.__module__}:{kind.__qualname__}", "value": value.value}
    if isinstance(value, type) and getattr(value, "_model_code", ""):
        return {"$model": value._model_code}
    code = getattr(type(value), "_model_code", None)
    if code:
        if value.id is None:
            raise TaskError(f"{where}: a record passed to a task must be saved (it is read "
                            "again when the task runs)", model=code)
        return {"$record": code, "id": value.id}
    if isinstance(value, (list, tuple)):
        return [encode(item, where) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith(TAG) for k in value):
            raise TaskError(f"{where}: dict keys passed to a task must be strings not "
                            f"starting with {TAG!r}")
        return {k: encode(v, where) for k, v in value.items()}
    raise TaskError(f"{where}: cannot queue a value of type {type(value).__name__} "
                    "(use JSON values, Decimal, dates, enums or saved records)")


def decode(value: Any, load_record: Any) -> Any:
    """The value `encode` produced, with records read by `load_record(code, id)` (and model
    classes by `load_record(code, None)`)."""
    if isinstance(value, list):
        return [decode(item, load_record) for item in value]
    if not isinstance(value, dict):
        return value
    if "$decimal" in value:
        return decimal.Decimal(value["$decimal"])
    if "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$time" in value:
        return dt.time.fromisoformat(value["$time"])
    if "$enum" in value:
        return _enum(value["$enum"])(value["value"])
    if "$record" in value:
        return load_record(value["$record"], value["id"])
    if "$model" in value:
        return load_record(value["$model"], None)
    return {k: decode(v, load_record) for k, v in value.items()}


def _enum(path: str) -> type[enum.Enum]:
    module, _, name = path.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        raise PermanentTaskFailure(f"the task's argument names enum {path}, which no "
                                   "longer exists") from None
    return found
