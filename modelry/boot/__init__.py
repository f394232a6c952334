"""Booting an application: `boot(database=..., modules=[...], lifecycle=...)`."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelry.boot.app import App
from modelry.boot.engine import create_engine
from modelry.boot.lifecycle import Lifecycle
from modelry.boot.options import BootOptions, resolve_options
from modelry.boot.report import BootFailed, BootRefused, BootReport
from modelry.config import load_settings
from modelry.core.module import Module
from modelry.core.registry import build_registry
from modelry.core.registry.discovery import resolve
from modelry.core.schema import build_metadata
from modelry.core.security import authorization  # declares the permission hook
from modelry.core.security.passwords import install_password_hashing
from modelry.core.tasks.service import install as install_tasks

log = logging.getLogger("modelry.boot")


def boot(database: str | None = None, modules: Sequence[str | Module] | None = None,
         lifecycle: str | None = None, config: str | None = None,
         options: Mapping[str, Any] | None = None, progress: Any = None,
         **engine_options: Any) -> App:
    """Load modules, run the lifecycle, and return the App (with `app.report`).

    `options` overrides the config file's `boot:` section (e.g. `{"build_table": "EXTEND"}`);
    `progress` (see `modelry.boot.lifecycle.Progress`) hears about long steps.
    Raises BootRefused when the lifecycle must not go on.
    """
    settings = load_settings(config, database=database, lifecycle=lifecycle)
    resolved = resolve_options(settings.lifecycle, settings.boot, options)
    requested = list(modules) if modules is not None else list(settings.modules)
    registry = build_registry(resolve(requested))
    log.info("%s of %s on %s", resolved.lifecycle, ", ".join(registry.modules),
             settings.database_description())
    engine = create_engine(settings.database, **{"pool_size": settings.pool_size,
                                                 **engine_options})
    metadata = build_metadata(registry, engine.dialect.name)
    app = App(registry, metadata, engine, settings)
    app.options = resolved
    authorization.install(app)
    install_password_hashing(app)
    install_tasks(app)
    try:
        app.report = Lifecycle(app, resolved, progress).run()
    except BaseException:
        app.close()
        raise
    if resolved.print_ddl and resolved.output and app.report.ddl is not None:
        Path(resolved.output).write_text(app.report.ddl)
    return app


__all__ = ["App", "BootFailed", "BootOptions", "BootRefused", "BootReport", "boot"]
