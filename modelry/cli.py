"""The `modelry` command line."""
from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from modelry.errors import ModelryError

console = Console()
DEMO_DATABASE = "sqlite:///modelry-demo.db"


def _common(function: Any) -> Any:
    function = click.option("--config", type=click.Path(), help="modelry.yaml to read")(function)
    function = click.option("--database", help="database URL (overrides the config)")(function)
    return click.option("--module", "modules", multiple=True,
                        help="module to load (repeatable)")(function)


@click.group()
def main() -> None:
    """modelry: declare models once; get tables, an API and a safe boot."""


@main.command("boot")
@_common
@click.option("--lifecycle", type=click.Choice(["install", "reload"], case_sensitive=False))
def boot_command(config: str | None, database: str | None, modules: tuple[str, ...],
                 lifecycle: str | None) -> None:
    """Boot the configured modules (install creates missing tables) and report."""
    from modelry.boot import boot
    app = boot(database=database, modules=list(modules) or None, lifecycle=lifecycle,
               config=config)
    try:
        console.print(f"booted {len(app.registry.modules)} module(s), "
                      f"{len(app.registry.models)} model(s) on {app.dialect}; "
                      f"fingerprint {app.registry.fingerprint()[:12]}")
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


def run() -> None:
    """Entry point that turns modelry errors into a message and exit code 2."""
    try:
        main(standalone_mode=True)
    except ModelryError as error:
        console.print(f"[red]error {error.code}:[/red] {error.message}")
        sys.exit(2)


if __name__ == "__main__":
    run()
