"""What names a record on the admin's screens (menus, relations, headings)."""
from __future__ import annotations

from typing import Any

from modelry.admin import calls
from modelry.admin.hints import ModelHints


def title_of(record: Any, meta: Any, hints: dict[str, ModelHints]) -> str:
    """What names `record`: its title field's value, or `#id` (title empty or hidden)."""
    name = hints[meta.code].title
    value = None if name in calls.invisible_fields(meta) else getattr(record, name)
    return f"#{record.id}" if value in (None, "") or name == "id" else str(value)
