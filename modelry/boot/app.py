"""`App`: one booted application — registry, tables, engine and data manager."""
from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from modelry.core import context
from modelry.core.data import DataManager
from modelry.core.data.transaction import current as current_transaction
from modelry.core.registry import Registry
from modelry.core.scoped import setting

_active: ContextVar[App | None] = ContextVar("modelry_app", default=None)
_default: list[App] = []
_lock = threading.Lock()


class App:
    """A booted application. Data calls use it inside `app.transaction()` or `app.activate()`,
    or when it is the most recently booted application still open."""

    def __init__(self, registry: Registry, metadata: sa.MetaData, engine: sa.Engine,
                 settings: Any = None) -> None:
        self.registry = registry
        self.metadata = metadata
        self.engine = engine
        self.settings = settings
        self.data = DataManager(registry, metadata, engine)
        self.closed = False
        self.options: Any = None   # the BootOptions it booted with
        self.report: Any = None    # the BootReport of its boot
        self.tasks: Any = None     # its TaskQueue (modelry.core.tasks), set by the boot
        self._asgi: Any = None
        with _lock:
            _default.append(self)

    @property
    def dialect(self) -> str:
        """`sqlite`, `postgresql` or `mysql` (MariaDB included)."""
        return self.engine.dialect.name

    def transaction(self, readonly: bool = False
                    ) -> contextlib.AbstractContextManager[sa.Connection]:
        """A transaction for data calls in this thread/task (a savepoint when nested).

        `readonly` is a hint: on SQLite it starts a shared transaction instead of taking
        the write lock.
        """
        return self.data.transaction(readonly)

    @property
    def asgi(self) -> Any:
        """The Starlette app serving this application's GraphQL API (built on first use)."""
        if self._asgi is None:
            if self.options is not None and not self.options.rebuild_http_api:
                from modelry.errors import ConfigError
                raise ConfigError(f"lifecycle {self.options.lifecycle} builds no HTTP API "
                                  "(open_api is off)")
            from modelry.core.graphql.http.asgi import build_asgi
            from modelry.core.graphql.context import GraphQLSettings
            server = dict(getattr(self.settings, "server", None) or {})
            known = GraphQLSettings.__dataclass_fields__
            self._asgi = build_asgi(self, GraphQLSettings(
                **{k: v for k, v in server.get("graphql", {}).items() if k in known}))
        return self._asgi

    def activate(self) -> setting[App | None]:
        """Make this the application that data calls use in this thread/task."""
        return setting(_active, self)

    def enqueue(self, target: Any, *args: Any, key: str | None = None, **kwargs: Any) -> Any:
        """Queue `target(*args, **kwargs)` (a declared function) to run in a worker, in
        this task's transaction; `key` makes it idempotent. Returns the `base.Task`."""
        return self.tasks.enqueue(target, *args, key=key, **kwargs)

    def acting_as(self, user_id: Any) -> contextlib.AbstractContextManager[None]:
        """Audit fields name `user_id` inside the block."""
        return self.data.acting_as(user_id)

    def close(self) -> None:
        """Release the connections and the GraphQL schema's classes (a module of their own
        in sys.modules: every app booted in a process would keep its schema alive); the
        app no longer serves data calls."""
        self.closed = True
        if self.tasks is not None:
            self.tasks.close()
        with _lock:
            if self in _default:
                _default.remove(self)
        self.engine.dispose()
        if self._asgi is not None:
            self._asgi.state.executor.schema.namespace.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _active_data_manager() -> DataManager | None:
    transaction = current_transaction()
    if transaction is not None:
        return transaction.owner
    app = _active.get()
    if app is None:
        with _lock:
            app = _default[-1] if _default else None
    return None if app is None else app.data


context.set_gateway_provider(_active_data_manager)
