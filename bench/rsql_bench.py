"""Micro-benchmark: parse + compile of a typical RSQL filter, cached and uncached.

Run: .venv/bin/python bench/rsql_bench.py
Prints µs per operation (best of 9 interleaved rounds) and the ratios of this run.
"""
from __future__ import annotations

import enum
import timeit
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from modelry.core import fields
from modelry.core.model import Model
from modelry.core.module import Module
from modelry.core.registry import build_registry
from modelry.core.rsql import DEFAULT_LIMITS, MetadataSchemaView, compile_filter, parse
from modelry.core.rsql.parse import parse_uncached
from modelry.core.schema import build_metadata

module = Module("rsqlbench")

FILTER = ("name=like=kitty;(status==OPEN,status==PAUSED);income=gt=100.5;"
          "owner.city.name==Paris;tags.name=in=(red,blue,green);create_date=ge=2024-01-01")


class Status(enum.Enum):
    """Shop status."""

    OPEN = "open"
    PAUSED = "paused"


class City(Model, model="rsqlbench.City"):
    name = fields.String()


class Owner(Model, model="rsqlbench.Owner"):
    name = fields.String()
    city = fields.ManyToOne("rsqlbench.City")


class Tag(Model, model="rsqlbench.Tag"):
    name = fields.String()


class Shop(Model, model="rsqlbench.Shop"):
    name = fields.String()
    status = fields.Enum(Status)
    income = fields.Money()
    owner = fields.ManyToOne("rsqlbench.Owner")
    tags = fields.ManyToMany("rsqlbench.Tag")


def _per_op(rows: list[tuple[str, Callable[[], object]]], rounds: int = 9) -> dict[str, float]:
    """Best µs per call of each row; rounds interleave the rows so load hits all alike."""
    timers = {label: timeit.Timer(function) for label, function in rows}
    numbers = {label: timer.autorange()[0] for label, timer in timers.items()}
    best = {label: float("inf") for label in timers}
    for _ in range(rounds):
        for label, timer in timers.items():
            seconds = timer.timeit(numbers[label]) / numbers[label]
            best[label] = min(best[label], seconds * 1e6)
    return best


def main() -> None:
    """Run the benchmark and print the figures."""
    registry = build_registry([module])
    schema = MetadataSchemaView(registry, build_metadata(registry))
    shop = registry.model("rsqlbench.Shop")
    table = schema.table(shop)
    uncached_parse = parse_uncached
    node = parse(FILTER)
    dialect = postgresql.dialect()
    rows = [
        ("parse, uncached", lambda: uncached_parse(FILTER, DEFAULT_LIMITS)),
        ("parse, cached", lambda: parse(FILTER)),
        ("compile (from parsed nodes)", lambda: compile_filter(node, shop, schema)),
        ("parse + compile, uncached",
         lambda: compile_filter(uncached_parse(FILTER, DEFAULT_LIMITS), shop, schema)),
        ("parse + compile, cached", lambda: compile_filter(FILTER, shop, schema)),
        ("for scale: SQLAlchemy renders the SELECT",
         lambda: str(sa.select(table.c.id).where(compile_filter(node, shop, schema))
                     .compile(dialect=dialect))),
    ]
    print(f"filter ({len(FILTER)} chars): {FILTER}")
    timings = _per_op(rows)
    for label, _ in rows:
        print(f"  {label:<42} {timings[label]:9.1f} µs/op")
    print(f"  parse: uncached / cached            = "
          f"{timings['parse, uncached'] / timings['parse, cached']:.0f}x")
    print(f"  parse + compile: uncached / cached  = "
          f"{timings['parse + compile, uncached'] / timings['parse + compile, cached']:.2f}x")


if __name__ == "__main__":
    main()
