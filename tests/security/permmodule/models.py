"""Models of `permtest`: no hooks or extension points, so read queries may run compiled."""
from __future__ import annotations

from decimal import Decimal

from modelry import Model, action, fields, function


class Folder(Model, model="permtest.Folder"):
    """Holds memos (a to-many relation to read through)."""

    name = fields.String(required=True, size=64)
    memos = fields.OneToMany("permtest.Memo", inverse="folder")


class Memo(Model, model="permtest.Memo"):
    """A note; `salary` is hidden from some roles, `stamp` read-only for them."""

    title = fields.String(required=True, size=64)
    body = fields.String(size=256)
    salary = fields.Money()
    stamp = fields.String(size=32)
    folder = fields.ManyToOne("permtest.Folder", on_delete="SET NULL")

    @action()
    def archive(self) -> Memo:
        """Mark the memo archived (a custom function of type UPDATE)."""
        stored = Memo.query_by_id(self.id)
        stored.body = "archived"
        stored.update_by_id()
        return Memo.query_by_id(self.id)

    @function(open_level="API", type="QUERY")
    @classmethod
    def total_salary(cls) -> Decimal:
        """A custom query function: the sum of every salary the caller can read."""
        return sum((m.salary or Decimal(0) for m in cls.query_list()), Decimal(0))


class OpenMemo(Model, model="permtest.OpenMemo", proxy="permtest.Memo"):
    """A proxy of Memo: Memo's record and field rules bind it too (on top of its own)."""

    @action()
    def reopen(self) -> OpenMemo:
        """Read the memo back through the proxy (a custom function of type UPDATE)."""
        return OpenMemo.query_by_id(self.id)


class Pin(Model, model="permtest.Pin"):
    """Points at a memo through its proxy: a relation that reaches a proxy."""

    label = fields.String(size=32)
    memo = fields.ManyToOne("permtest.OpenMemo", on_delete="CASCADE")
