"""Settings: defaults < `modelry.yaml` < environment (`MODELRY_*`) < explicit arguments."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.engine import make_url

from modelry.errors import ConfigError

DEFAULT_DATABASE = "sqlite:///modelry.db"
DATABASE_VARIABLE = "MODELRY_DATABASE_URL"
ENVIRONMENT = {DATABASE_VARIABLE: "database", "MODELRY_MODULES": "modules",
               "MODELRY_LIFECYCLE": "lifecycle", "MODELRY_QUEUE_URL": "queue"}


def describe_database(url: str) -> str:
    """The database for people: a SQLite file's absolute path (said to be new when it
    does not exist yet), else the URL with its password masked."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - the boot reports a bad URL itself
        return repr(url)
    if parsed.get_backend_name() != "sqlite":
        return parsed.render_as_string(hide_password=True)
    if parsed.database in (None, "", ":memory:"):
        return "SQLite in memory"
    path = Path(parsed.database).resolve()
    return f"SQLite file {path}" + ("" if path.exists() else " (new)")


class Settings(BaseModel):
    """What an application boots with."""

    database: str = DEFAULT_DATABASE
    modules: list[str] = Field(default_factory=list)
    lifecycle: str = "install"
    pool_size: int = Field(default=16, ge=1)  # connections per instance (PostgreSQL, MySQL)
    boot: dict[str, Any] = Field(default_factory=dict)
    server: dict[str, Any] = Field(default_factory=dict)
    queue: str = "database"  # where tasks wait: the app's database, or amqp:// / redis://
    tasks: dict[str, Any] = Field(default_factory=dict)  # worker settings (core.tasks)

    def database_description(self) -> str:
        """Where this application's data lives, and whether it is the default database."""
        described = describe_database(self.database)
        if "database" in self.model_fields_set:
            return described
        return (f"{described}, the default: no --database, {DATABASE_VARIABLE} or "
                "`database:` in modelry.yaml named one")


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Read the config file (if any), then the environment, then `overrides` (None = unset)."""
    values: dict[str, Any] = {}
    path = Path(config or os.environ.get("MODELRY_CONFIG", "modelry.yaml"))
    if config is not None and not path.exists():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        values.update(loaded)
    for variable, key in ENVIRONMENT.items():
        if os.environ.get(variable):
            raw = os.environ[variable]
            values[key] = [m.strip() for m in raw.split(",") if m.strip()] \
                if key == "modules" else raw
    values.update({key: value for key, value in overrides.items() if value not in (None, [], ())})
    try:
        return Settings(**values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"invalid settings: {problems}") from None
