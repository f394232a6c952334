"""Boot time for 200 generated models: INSTALL from empty, RELOAD, DDL, on each database.

Baseline: SQLAlchemy's own `metadata.create_all()` of the same 200 tables (no
metadata, no diff, no lock). Run:

    .venv/bin/python bench/boot_bench.py [URL ...]

(default: SQLite file, local PostgreSQL and MariaDB databases `test`).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelry import Model, Module, fields  # noqa: E402
from modelry.boot import boot  # noqa: E402
from modelry.boot.engine import create_engine  # noqa: E402
from tests.conftest import drop_everything  # noqa: E402

MODELS = 200
DEFAULT_URLS = ["sqlite:////tmp/modelry-boot-bench.db",
                "postgresql://postgres@127.0.0.1:5432/test",
                "mysql://root@127.0.0.1:3306/test"]

module = Module("bench", version="1.0.0", depends=["base"])


def declare_models(count: int) -> None:
    """Models with 8 scalar fields, a ManyToOne to the previous model, every 10th a ManyToMany."""
    for number in range(count):
        attributes = {
            "name": fields.String(size=64, required=True),
            "code": fields.String(size=32, unique=True),
            "amount": fields.Money(default=0),
            "quantity": fields.Integer(default=0),
            "active": fields.Boolean(default=True),
            "day": fields.Date(),
            "note": fields.Text(),
            "payload": fields.Json(),
        }
        if number:
            attributes["parent"] = fields.ManyToOne(f"bench.Thing{number - 1}")
        if number % 10 == 9:
            attributes["links"] = fields.ManyToMany(f"bench.Thing{number - 5}")
        type(f"Thing{number}", (Model,), attributes, model=f"bench.Thing{number}")


def timed(action) -> float:  # noqa: ANN001
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def measure(url: str) -> dict[str, float]:
    """Seconds per step on one database."""
    results: dict[str, float] = {}

    def install() -> None:
        boot(url, [module], "install").close()

    def reload() -> None:
        boot(url, [module], "reload").close()

    def ddl() -> None:
        app = boot(url, [module], "ddl")
        assert "no changes" in app.report.ddl
        app.close()

    def ddl_empty() -> None:
        app = boot(url, [module], "ddl")
        assert "CREATE TABLE" in app.report.ddl
        app.close()

    drop_everything(url)
    results["ddl (empty db)"] = timed(ddl_empty)
    results["install (empty db)"] = timed(install)
    results["reload"] = timed(reload)
    results["ddl (no changes)"] = timed(ddl)
    results["install (no changes)"] = timed(install)
    # baseline: plain create_all of the same tables
    app = boot(url, [module], "reload", options={"module_online": "never"})
    metadata = app.metadata
    app.close()
    drop_everything(url)
    engine = create_engine(url)
    results["baseline create_all"] = timed(lambda: metadata.create_all(engine))
    engine.dispose()
    drop_everything(url)
    return results


def main() -> None:
    declare_models(MODELS)
    urls = sys.argv[1:] or DEFAULT_URLS
    for url in urls:
        results = measure(url)
        base = results["baseline create_all"]
        print(f"\n{url.split(':')[0]}: {MODELS} models")
        for step, seconds in results.items():
            print(f"  {step:24} {seconds:7.2f} s   ({seconds / base:5.2f}× create_all)")


if __name__ == "__main__":
    main()
