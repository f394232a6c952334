"""The `modelry` command line."""
from __future__ import annotations

import logging
import sys
from typing import Any

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from modelry.cli_progress import BootProgress
from modelry.cli_options import boot_options
from modelry.cli_application import report_failure
from modelry.cli_grant import grant_command
from modelry.cli_tasks import register as register_task_commands
from modelry.cli_user import user_group
from modelry.errors import ModelryError

console = Console()
DEMO_DATABASE = "sqlite:///modelry-demo.db"


@click.group()
@click.option("-q", "--quiet", is_flag=True, help="no log lines on stderr")
@click.option("-v", "--verbose", is_flag=True,
              help="debug log lines on stderr (e.g. every resolved boot option, as JSON)")
def main(quiet: bool, verbose: bool) -> None:
    """modelry: declare models once; get tables, an API and a safe boot."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    logging.getLogger("modelry").setLevel(
        logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


EXIT_REFUSED = 3
BOOT_LIFECYCLES = ["install", "reload", "custom-install", "package", "ddl"]
SERVE_LIFECYCLES = ["install", "reload", "custom-install", "package"]  # DDL serves nothing
LIFECYCLE_HELP = ("install: create or upgrade tables, metadata and module data; reload: "
                  "check the database matches the code, write nothing; custom-install: "
                  "install with the config's boot.options; package: install without "
                  "building the HTTP API")


@main.command("boot")
@boot_options
@click.option("--lifecycle", type=click.Choice(BOOT_LIFECYCLES, case_sensitive=False),
              help=f"{LIFECYCLE_HELP}; ddl: print the SQL install would run, change nothing "
                   "(default: the config's lifecycle, else install)")
@click.option("--build-table", type=click.Choice(["never", "extend", "diff"],
                                                 case_sensitive=False),
              help="never: leave tables alone; extend: only add tables, columns and "
                   "indexes; diff: also alter and drop (the default)")
@click.option("--module-online", type=click.Choice(["never", "read", "check"],
                                                   case_sensitive=False),
              help="what reload does with the installed modules: never: skip them; read: "
                   "read them, check nothing; check: refuse a database whose schema "
                   "differs from the code (the default)")
@click.option("--meta-online", type=click.Choice(["never", "module", "all"],
                                                 case_sensitive=False),
              help="Oinone's metaOnline (reload_meta in the logged options); accepted, "
                   "but no lifecycle acts on it yet")
@click.option("--open-api/--no-open-api", default=None,
              help="build the GraphQL HTTP API (default: on, except for package and ddl)")
@click.option("--init-data/--no-init-data", default=None,
              help="load the modules' data files (ddl: print their rows); default on")
@click.option("--check-field", is_flag=True, default=None,
              help="check every declared column exists")
@click.option("--allow-destructive", is_flag=True, default=None,
              help="apply (or print) drops and narrowing changes")
@click.option("--output", type=click.Path(), help="DDL: write the script here, not stdout")
@click.option("--lock-timeout", type=float, help="seconds to wait for the boot lock")
@click.option("-P", "p_arguments", multiple=True, metavar="NAME=VALUE",
              help="Oinone-style option, e.g. -Plifecycle=RELOAD -PbuildTable=EXTEND")
@click.option("-v", "--verbose", is_flag=True,
              help="log every resolved boot option (one JSON line on stderr)")
def boot_command(config: str | None, database: str | None, modules: tuple[str, ...],
                 lifecycle: str | None, p_arguments: tuple[str, ...], verbose: bool,
                 **overrides: Any) -> None:
    """Run a boot lifecycle and print its summary (DDL prints the script).

    Exit codes: 0 success, 3 refused (destructive change, fingerprint mismatch), 1 failure.
    """
    if verbose:
        logging.getLogger("modelry").setLevel(logging.DEBUG)
    from modelry.boot import BootRefused, boot
    from modelry.boot.options import parse_p_arguments
    options = {**{k: v for k, v in overrides.items() if v is not None},
               **parse_p_arguments(p_arguments)}
    if lifecycle:
        options.setdefault("lifecycle", lifecycle)
    err = Console(stderr=True)
    try:
        with BootProgress(err) as progress:
            app = boot(database=database, modules=list(modules) or None, config=config,
                       options=options, progress=progress)
    except BootRefused as refusal:
        err.print(f"[yellow]refused ({refusal.code}):[/yellow] {refusal.message}")
        sys.exit(EXIT_REFUSED)
    except (ModelryError, sa.exc.SQLAlchemyError) as error:
        report_failure(error)
    try:
        report = app.report
        if report.ddl is not None and not app.options.output:
            click.echo(report.ddl, nl=False)
        err.print(report.summary())
    finally:
        app.close()


@main.command("demo")
@click.option("--database", default=DEMO_DATABASE, show_default=True)
def demo_command(database: str) -> None:
    """Boot the demo module on embedded SQLite, load sample data, and show it."""
    from modelry.boot import boot
    from modelry.modules.demo.models import PetShop
    from modelry.modules.demo.sample import load_sample_data
    app = boot(database=database, modules=["demo"], lifecycle="install")
    try:
        with app.transaction():
            created = load_sample_data()
            page = PetShop.query_page(page=1, size=10, sort="-income")
            table = Table(title=f"Pet shops ({page.total_elements} in {database})")
            for column in ("id", "name", "status", "income", "owner", "tags", "items"):
                table.add_column(column)
            for shop in page.content:
                table.add_row(str(shop.id), shop.name, shop.status.name, str(shop.income),
                              shop.owner.name if shop.owner else "",
                              ", ".join(t.name for t in shop.tags), str(len(shop.items)))
        console.print(table)
        console.print(f"{created} shop(s) created now; models: "
                      f"{', '.join(app.registry.models)}")
    finally:
        app.close()


@main.command("serve")
@boot_options
@click.option("--demo", is_flag=True, help="the demo module on embedded SQLite, sample data")
@click.option("--lifecycle", type=click.Choice(SERVE_LIFECYCLES, case_sensitive=False),
              help=f"{LIFECYCLE_HELP} (default: the config's lifecycle, else reload; "
                   "install with --demo)")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=int, help="port to listen on")
@click.option("--workers", default=1, show_default=True, type=int,
              help="processes serving requests (each boots with reload)")
@click.option("--log-level", default="info", show_default=True,
              help="uvicorn's log level; info and debug also log each request")
@click.option("--introspection/--no-introspection", default=None,
              help="answer GraphQL introspection queries (default: the config's, else on)")
@click.option("--graphiql/--no-graphiql", default=None,
              help="serve the GraphiQL page on GET /graphql (default: the config's, else on)")
def serve_command(config: str | None, database: str | None, modules: tuple[str, ...],
                  demo: bool, lifecycle: str | None, host: str, port: int, workers: int,
                  log_level: str, introspection: bool | None, graphiql: bool | None) -> None:
    """Boot and serve the GraphQL API (POST /graphql, GraphiQL on GET, /health)."""
    import json
    import os

    import uvicorn

    from modelry.serving import ARGUMENTS_VARIABLE, boot_for_serving
    graphql = {k: v for k, v in (("introspection", introspection), ("graphiql", graphiql))
               if v is not None}
    arguments = {"demo": demo, "database": database, "modules": list(modules),
                 "config": config, "lifecycle": lifecycle, "graphql": graphql}
    logging.getLogger("modelry.access").setLevel(
        logging.INFO if log_level.lower() in ("info", "debug") else logging.WARNING)
    app = boot_for_serving(**arguments)
    if workers > 1:  # each worker boots (RELOAD) on its own
        app.close()
        os.environ[ARGUMENTS_VARIABLE] = json.dumps({**arguments, "demo": False,
                                                     "lifecycle": "reload",
                                                     "database": str(app.settings.database),
                                                     "modules": list(app.registry.modules)})
        target: Any = "modelry.serving:create_asgi"
    else:
        target = app.asgi
    console.print(f"modelry serving {', '.join(app.registry.modules)} on {app.dialect}: "
                  f"http://{host}:{port}/graphql", highlight=False)
    signing_in = "sign in as a user; modelry user create"
    if getattr(app, "demo_admin", None):
        signing_in = "sign in as {} / {}".format(*app.demo_admin)
    console.print(f"admin ({signing_in}): http://{host}:{port}/admin", highlight=False)
    uvicorn.run(target, host=host, port=port, workers=workers, log_level=log_level.lower(),
                access_log=False, factory=workers > 1, timeout_graceful_shutdown=10)


main.add_command(user_group)
register_task_commands(main)
main.add_command(grant_command)


def run() -> None:
    """Entry point that turns modelry errors into a message and exit code 2."""
    try:
        main(standalone_mode=True)
    except ModelryError as error:
        console.print(f"[red]error {error.code}:[/red] {error.message}")
        sys.exit(2)


if __name__ == "__main__":
    run()
