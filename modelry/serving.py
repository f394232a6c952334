"""`modelry serve`: boot, then serve the GraphQL API with uvicorn."""
from __future__ import annotations

import json
import os
import secrets
from typing import Any

from modelry.boot import App, boot
from modelry.boot.allocator import unmap_large_buffers
from modelry.boot.heap import freeze_booted

DEMO_DATABASE = "sqlite:///modelry-demo.db"
ARGUMENTS_VARIABLE = "MODELRY_SERVE_ARGUMENTS"
DEMO_MODULES = ("demo", "account", "billing", "order", "channel")
DEMO_ADMIN = "admin"


def boot_for_serving(demo: bool = False, database: str | None = None,
                     modules: list[str] | None = None, config: str | None = None,
                     lifecycle: str | None = None, graphql: dict[str, Any] | None = None
                     ) -> App:
    """Boot the app a server will serve; `demo` installs the demo module with sample data."""
    unmap_large_buffers()  # a server's memory then follows what it holds (allocator.py)
    if demo:
        app = boot(database=database or DEMO_DATABASE,
                   modules=[*DEMO_MODULES, *(modules or [])],
                   lifecycle=lifecycle or "install", config=config)
        from modelry.core.security.grants import grant_module
        from modelry.modules.account.sample import load_sample_data as load_ledger
        from modelry.modules.billing.sample import load_sample_data as load_billing
        from modelry.modules.channel.sample import load_sample_data as load_channel
        from modelry.modules.demo.sample import load_sample_data
        from modelry.modules.order.sample import load_sample_data as load_orders
        with app.transaction():
            load_sample_data(shops=20, items_per_shop=5)
            load_ledger()
            load_billing()
            load_orders()
            load_channel()
        for module in DEMO_MODULES:
            grant_module(app, module)  # the quick start needs no login
        app.demo_admin = demo_admin(app)  # type: ignore[attr-defined]
    else:
        app = boot(database=database, modules=modules or None, config=config,
                   lifecycle=lifecycle or _configured_lifecycle(config))
    app.tasks.start_in_server()
    if graphql:
        app.settings.server = {**(app.settings.server or {}),
                               "graphql": {**app.settings.server.get("graphql", {}), **graphql}}
    if app.options is None or app.options.rebuild_http_api:
        app.asgi  # noqa: B018 - the GraphQL schema and routes, built now to be frozen too
    freeze_booted()  # the collector stops walking the boot's objects (heap.py)
    return app


def demo_admin(app: App) -> tuple[str, str]:
    """The demo's administrator, `admin`, made (or given a new password) with a random
    password at each start: (login, password), for the quick start to print. Only a demo
    does this; a real database gets its users from `modelry user create`."""
    from modelry.cli_user import create_user, set_password
    password = secrets.token_urlsafe(9)
    with app.activate(), app.transaction():
        if app.data.query_one("base.User", filters={"login": DEMO_ADMIN}) is None:
            create_user(app, DEMO_ADMIN, password, admin=True, name="Demo administrator")
        else:
            set_password(app, DEMO_ADMIN, password)
    return DEMO_ADMIN, password


def _configured_lifecycle(config: str | None) -> str:
    from modelry.config import load_settings
    settings = load_settings(config)
    return settings.lifecycle if "lifecycle" in settings.model_fields_set else "reload"


def create_asgi() -> Any:
    """ASGI factory for uvicorn workers: arguments come from MODELRY_SERVE_ARGUMENTS."""
    arguments = json.loads(os.environ.get(ARGUMENTS_VARIABLE, "{}"))
    return boot_for_serving(**arguments).asgi
