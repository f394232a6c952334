"""MariaDB bulk statements in pages: each within the parameter limit and half of
`max_allowed_packet`, so that no statement is refused for its size."""
from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa

MYSQL_PACKET_SHARE = 2       # a MariaDB statement uses at most half of max_allowed_packet
_packets: weakref.WeakKeyDictionary[sa.Engine, int] = weakref.WeakKeyDictionary()


def mysql_pages(connection: sa.Connection, rows: list[dict[str, Any]]
                ) -> list[list[dict[str, Any]]]:
    """`rows` (sharing their columns) in pages one multi-row statement each can carry."""
    per_page = connection.dialect.insertmanyvalues_max_parameters // len(rows[0])
    return pages(rows, per_page, _max_allowed_packet(connection) // MYSQL_PACKET_SHARE)


def pages(rows: list[dict[str, Any]], per_page: int, budget: int) -> list[list[dict[str, Any]]]:
    """Consecutive runs of rows, each at most `per_page` rows and about `budget` bytes."""
    pages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for row in rows:
        row_size = sum(_literal_size(value) for value in row.values())
        if pages[-1] and (len(pages[-1]) >= per_page or size + row_size > budget):
            pages.append([])
            size = 0
        pages[-1].append(row)
        size += row_size
    return pages


def _literal_size(value: Any) -> int:
    """About how many bytes `value` takes in a MariaDB statement (text escaped)."""
    if isinstance(value, (str, bytes)):
        return 2 * len(value) + 4
    if isinstance(value, (dict, list)):
        return 2 * len(str(value)) + 4
    return 32  # a number, date or time


def _max_allowed_packet(connection: sa.Connection) -> int:
    engine = connection.engine
    if engine not in _packets:
        _packets[engine] = int(connection.scalar(
            sa.select(sa.literal_column("@@max_allowed_packet"))))
    return _packets[engine]
