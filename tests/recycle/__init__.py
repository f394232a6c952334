"""Test module `recycle`: a folder model with a recycle bin (`archived="binned"`, a
nullable Boolean) and notes filed in folders (tests/test_archived.py)."""
from __future__ import annotations

from modelry import Model, Module, fields

module = Module("recycle", version="1.0.0", depends=["base"], display_name="Recycle bin")


class Folder(Model, model="recycle.Folder", archived="binned"):
    """A folder; a binned one is hidden from lists, kept for the notes filed in it."""

    name = fields.String(size=32, required=True)
    binned = fields.Boolean()                    # NULL: not binned


class Note(Model, model="recycle.Note"):
    """A note filed in a folder."""

    title = fields.String(size=32, required=True)
    folder = fields.ManyToOne("recycle.Folder", on_delete="RESTRICT")
