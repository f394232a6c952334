"""The benchmark's tables: per operation and candidate, ratios, memory."""
from __future__ import annotations

import math

from load import LoadResult
from queries import Operation

RATIOS = (("modelry", "postgraphile", "modelry/PostGraphile"),
          ("modelry", "baseline", "modelry/baseline"),
          ("baseline", "postgraphile", "baseline/PostGraphile"))


def _number(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def results_table(operations: list[Operation], candidates: list[str],
                  results: dict[tuple[str, str], LoadResult | str],
                  statements: dict[tuple[str, str], str]) -> str:
    """Operation × candidate → req/s, p50, p99, CPU/request, statements, failed requests."""
    lines = [f"{'op':<4} {'candidate':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'cpu ms/req':>10} {'stmts/req':>9} {'failed':>7}"]
    for operation in operations:
        lines.append("")
        for candidate in candidates:
            result = results.get((operation.name, candidate))
            if result is None:
                continue
            label = f"{operation.name:<4} {candidate:<13}"
            if isinstance(result, str):
                lines.append(f"{label} {result}")
                continue
            lines.append(
                f"{label} {_number(result.requests_per_second):>9} {_number(result.p50_ms, 2):>8} "
                f"{_number(result.p99_ms, 2):>8} {_number(result.server_cpu_ms, 2):>10} "
                f"{statements.get((operation.name, candidate), 'n/a'):>9} "
                f"{result.failures:>7}")
    return "\n".join(lines)


def ratios_table(operations: list[Operation],
                 results: dict[tuple[str, str], LoadResult | str]) -> str:
    """Requests/s ratios between candidates, per operation."""
    lines = [f"{'op':<4} " + " ".join(f"{title:>22}" for _, _, title in RATIOS)]
    for operation in operations:
        cells = []
        for numerator, denominator, _ in RATIOS:
            top = results.get((operation.name, numerator))
            bottom = results.get((operation.name, denominator))
            if isinstance(top, LoadResult) and isinstance(bottom, LoadResult) \
                    and top.requests and bottom.requests:
                cells.append(f"{top.requests_per_second / bottom.requests_per_second:>21.2f}x")
            else:
                cells.append(f"{'n/a':>22}")
        lines.append(f"{operation.name:<4} " + " ".join(cells))
    return "\n".join(lines)


def memory_table(memory: dict[str, tuple[float, float]]) -> str:
    """Resident memory (process tree, VmRSS) of each server before and after the load."""
    lines = [f"{'candidate':<13} {'RSS before MB':>14} {'RSS after MB':>13}"]
    for candidate, (before, after) in memory.items():
        lines.append(f"{candidate:<13} {_number(before):>14} {_number(after):>13}")
    return "\n".join(lines)
