"""The application an administrative command (`user`, `grant`) works on."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import sqlalchemy as sa
from rich.console import Console

from modelry import directives
from modelry.directives import Directive
from modelry.errors import ModelryError

EXIT_FAILED = 1
err = Console(stderr=True, highlight=False)


@contextmanager
def administered(config: str | None, database: str | None,
                 modules: tuple[str, ...] | list[str]) -> Iterator[Any]:
    """Boot (RELOAD: the tables must exist) and open one transaction with the back-end
    directives plus CHECK: values are validated, no permission check applies (whoever can
    run the command holds the database already). Failures print a message and exit 1."""
    from modelry.boot import BootRefused, boot
    try:
        try:
            app = boot(database=database, modules=list(modules) or None, config=config,
                       lifecycle="reload")
        except BootRefused as refusal:
            raise BootRefused(f"{refusal.message}\n(give the --module/--config the "
                              "application boots with)", []) from None
        try:
            with directives.scope(Directive.CHECK), app.transaction():
                yield app
        finally:
            app.close()
    except (ModelryError, sa.exc.SQLAlchemyError) as error:
        report_failure(error)


def report_failure(error: ModelryError | sa.exc.SQLAlchemyError) -> NoReturn:
    """Print a command's failure (its code and message; a database error's first line,
    never its SQL) and exit 1."""
    if isinstance(error, sa.exc.SQLAlchemyError):
        detail = str(getattr(error, "orig", error)).strip().splitlines()[0]
        err.print(f"[red]failed (DATABASE_ERROR):[/red] {detail}")
    else:
        err.print(f"[red]failed ({error.code}):[/red] {error.message}")
    sys.exit(EXIT_FAILED)
