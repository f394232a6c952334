"""Options every `modelry` command takes."""
from __future__ import annotations

from typing import Any

import click


def boot_options(function: Any) -> Any:
    """--config/--database/--module (repeatable)."""
    function = click.option("--config", type=click.Path(), help="modelry.yaml to read")(function)
    function = click.option("--database", help="database URL (overrides the config)")(function)
    return click.option("--module", "modules", multiple=True,
                        help="module to load (repeatable)")(function)
