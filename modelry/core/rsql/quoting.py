"""Writing values into RSQL text safely (for code that builds filters from data)."""
from __future__ import annotations


def quote(value: object, *, wildcards: bool = False) -> str:
    """`value` as a double-quoted RSQL value; `*` stays literal unless `wildcards`."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    if not wildcards:
        text = text.replace("*", "\\*")
    return f'"{text}"'
