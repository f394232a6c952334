"""Booting an application: `boot(database=..., modules=[...], lifecycle=...)`."""
from __future__ import annotations

from typing import Any, Sequence

from modelry.boot.app import App
from modelry.boot.engine import create_engine
from modelry.config import load_settings
from modelry.core.module import Module
from modelry.core.registry import build_registry
from modelry.core.registry.discovery import resolve
from modelry.core.schema import build_metadata
from modelry.errors import ConfigError

LIFECYCLES = ("install", "reload")


def boot(database: str | None = None, modules: Sequence[str | Module] | None = None,
         lifecycle: str | None = None, config: str | None = None, **engine_options: Any) -> App:
    """Load modules, build the registry and tables, and return the running App.

    `install` creates missing tables; `reload` changes nothing in the database.
    """
    settings = load_settings(config, database=database, lifecycle=lifecycle)
    requested = list(modules) if modules is not None else list(settings.modules)
    chosen = settings.lifecycle.lower().replace("_", "-")
    if chosen not in LIFECYCLES:
        raise ConfigError(f"unknown lifecycle {settings.lifecycle!r}: expected one of "
                          f"{', '.join(LIFECYCLES)}")
    registry = build_registry(resolve(requested))
    metadata = build_metadata(registry)
    engine = create_engine(settings.database, **engine_options)
    if chosen == "install":
        metadata.create_all(engine)
    return App(registry, metadata, engine, settings)


__all__ = ["App", "boot"]
