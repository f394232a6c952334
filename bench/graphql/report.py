"""The benchmark's tables: per cell, ratios, memory, and every database side by side.

A cell is (operation, "anon" or "token", candidate); see check.Cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from check import ANONYMOUS, TOKEN, Cell
from load import LoadResult
from queries import Operation

AUTHS = (ANONYMOUS, TOKEN)
RATIOS = (("modelry", "postgraphile", "modelry/PostGraphile"),
          ("modelry", "baseline", "modelry/baseline"),
          ("baseline", "postgraphile", "baseline/PostGraphile"))
SHORT = {"modelry": "m", "baseline": "b", "postgraphile": "p"}
SUMMARY_ORDER = ("modelry", "baseline", "postgraphile")


@dataclass
class DatabaseRun:
    """What one database's part of a run measured."""

    label: str  # "PostgreSQL 16.4", "MariaDB 10.11.6"
    url: str
    candidates: list[str] = field(default_factory=list)  # those that ran, baseline first
    results: dict[Cell, LoadResult | str] = field(default_factory=dict)
    statements: dict[Cell, str] = field(default_factory=dict)
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    load_average: list[tuple[float, float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(results: dict[Cell, LoadResult | str], operation: str, auth: str,
           numerator: str, denominator: str) -> str:
    top, bottom = results.get((operation, auth, numerator)), results.get(
        (operation, auth, denominator))
    if isinstance(top, LoadResult) and isinstance(bottom, LoadResult) \
            and top.requests and bottom.requests:
        return f"{top.requests_per_second / bottom.requests_per_second:.2f}x"
    return "n/a"


def results_table(operations: list[Operation], run: DatabaseRun) -> str:
    """Cell → req/s, p50, p99, CPU/request, statements/request, failed requests."""
    lines = [f"{'op':<9} {'auth':<5} {'candidate':<13} {'req/s':>9} {'p50 ms':>8} "
             f"{'p99 ms':>8} {'cpu ms/req':>10} {'stmts/req':>9} {'failed':>7}"]
    for operation in operations:
        for auth in AUTHS:
            lines.append("")
            for candidate in run.candidates:
                cell = (operation.name, auth, candidate)
                result = run.results.get(cell)
                if result is None:
                    continue
                label = f"{operation.name:<9} {auth:<5} {candidate:<13}"
                if isinstance(result, str):
                    lines.append(f"{label} {result}")
                    continue
                lines.append(
                    f"{label} {_number(result.requests_per_second):>9} "
                    f"{_number(result.p50_ms, 2):>8} {_number(result.p99_ms, 2):>8} "
                    f"{_number(result.server_cpu_ms, 2):>10} "
                    f"{run.statements.get(cell, 'n/a'):>9} {result.failures:>7}")
    return "\n".join(lines)


def ratios_table(operations: list[Operation], run: DatabaseRun) -> str:
    """Requests/s ratios between candidates, per operation and authentication."""
    lines = [f"{'op':<9} {'auth':<5} " + " ".join(f"{title:>22}" for _, _, title in RATIOS)]
    for operation in operations:
        for auth in AUTHS:
            cells = [f"{_ratio(run.results, operation.name, auth, top, bottom):>22}"
                     for top, bottom, _ in RATIOS]
            lines.append(f"{operation.name:<9} {auth:<5} " + " ".join(cells))
    return "\n".join(lines)


def memory_table(memory: dict[str, tuple[float, float]]) -> str:
    """Resident memory (process tree, VmRSS) of each server before and after the load."""
    lines = [f"{'candidate':<13} {'RSS before MB':>14} {'RSS after MB':>13}"]
    for candidate, (before, after) in memory.items():
        lines.append(f"{candidate:<13} {_number(before):>14} {_number(after):>13}")
    return "\n".join(lines)


def _shown(run: DatabaseRun) -> list[str]:
    """The candidates of `run` in the summary's order: modelry, baseline, PostGraphile."""
    return sorted(run.candidates, key=lambda name: (
        SUMMARY_ORDER.index(name) if name in SUMMARY_ORDER else len(SUMMARY_ORDER), name))


def _columns(run: DatabaseRun) -> list[tuple[str, int]]:
    """The summary's columns for one database: (title, width)."""
    columns = [(candidate, max(9, len(candidate))) for candidate in _shown(run)]
    if {"modelry", "baseline"} <= set(run.candidates):
        columns.append(("m/base", 7))
    if {"modelry", "postgraphile"} <= set(run.candidates):
        columns.append(("m/PGr", 7))
    letters = "/".join(SHORT.get(candidate, candidate) for candidate in _shown(run))
    columns.append((f"stmts {letters}", max(9, len(letters) + 6)))
    return columns


def _cells(run: DatabaseRun, operation: str, auth: str) -> list[str]:
    values = []
    for candidate in _shown(run):
        result = run.results.get((operation, auth, candidate))
        values.append(_number(result.requests_per_second) if isinstance(result, LoadResult)
                      else "-" if result is None else "n/a")
    if {"modelry", "baseline"} <= set(run.candidates):
        values.append(_ratio(run.results, operation, auth, "modelry", "baseline"))
    if {"modelry", "postgraphile"} <= set(run.candidates):
        values.append(_ratio(run.results, operation, auth, "modelry", "postgraphile"))
    values.append("/".join(run.statements.get((operation, auth, candidate), "-")
                           for candidate in _shown(run)))
    return values


def summary_table(operations: list[Operation], runs: list[DatabaseRun]) -> str:
    """Requests/s per candidate, ratios and statements per request, a column group per
    database: the table of the issue."""
    groups = [_columns(run) for run in runs]
    widths = [sum(width + 1 for _, width in columns) + 2 for columns in groups]
    first = f"{'':<15} " + "".join(f"{run.label:<{width}}" for run, width in zip(runs, widths))
    second = f"{'op':<9} {'auth':<5} " + "".join(
        " ".join(f"{title:>{width}}" for title, width in columns) + "   "
        for columns in groups)
    lines = [first.rstrip(), second.rstrip()]
    for operation in operations:
        for auth in AUTHS:
            row = f"{operation.name:<9} {auth:<5} "
            for run, columns in zip(runs, groups):
                values = _cells(run, operation.name, auth)
                row += " ".join(f"{value:>{width}}"
                                for value, (_, width) in zip(values, columns)) + "   "
            lines.append(row.rstrip())
    return "\n".join(lines)
