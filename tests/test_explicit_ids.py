"""Records created with explicit ids; later creates still get fresh ids on every database."""
from __future__ import annotations

import pytest

from modelry import Model, Module, fields
from modelry.core.registry import build_registry
from modelry.errors import DeclarationError
from modelry.modules.demo.models import PetTag


def test_creates_after_explicit_ids_get_new_ids(app):
    PetTag(id=100, name="hundred").create()
    assert PetTag(name="next").create().id == 101
    PetTag.create_batch([PetTag(id=200, name="two hundred")])
    assert PetTag(name="after batch").create().id == 201
    assert PetTag.count() == 4


def test_overlong_table_name_is_refused():
    module = Module("longnames", depends=[])

    class VeryLongModelNameThatKeepsGoingAndGoingBeyondLimits(  # noqa: F841
            Model, model="longnames.VeryLongModelNameThatKeepsGoingAndGoingBeyondLimits"):
        title = fields.String()

    with pytest.raises(DeclarationError) as refused:
        build_registry([module])
    assert "longnames" in str(refused.value) and "longer than 60" in str(refused.value)
