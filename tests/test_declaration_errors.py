"""Bad declarations: each refused at declaration or registry build with a DeclarationError
naming the module, the model and (when one is at fault) the field."""
from __future__ import annotations

import enum
import re

import pytest

from modelry import DeclarationError, Model, Module, fields
from tests.declaring import registry_of


# ── bad declarations ─────────────────────────────────────────────────────────
def assert_names(error: DeclarationError, module: str, model: str, field: str | None) -> None:
    """The message names module, model (and field); so do the error's attributes."""
    message = str(error)
    assert message.startswith(f"{module}:"), message
    assert model in message, message
    assert (error.module, error.model) == (module, model)
    if field is not None:
        assert f"'{field}'" in message, message
        assert error.field == field


def test_unknown_field_option() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_opt.Thing"):
            label = fields.String(sise=10)
    assert_names(refused.value, "decl_opt", "decl_opt.Thing", "label")
    assert "sise" in str(refused.value)


def test_unknown_option_for_this_field_type() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_opt2.Thing"):
            quantity = fields.Integer(size=10)
    assert_names(refused.value, "decl_opt2", "decl_opt2.Thing", "quantity")
    assert "size" in str(refused.value) and "Integer" in str(refused.value)


def test_relation_to_an_unknown_model() -> None:
    module = Module("decl_rel", depends=["base"])

    class Thing(Model, model="decl_rel.Thing"):
        ghost = fields.ManyToOne("decl_rel.Ghost")

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "decl_rel", "decl_rel.Thing", "ghost")
    assert "decl_rel.Ghost" in str(refused.value)


def test_relation_to_a_model_of_a_module_not_loaded() -> None:
    module = Module("decl_rel2", depends=["base"])

    class Thing(Model, model="decl_rel2.Thing"):
        shops = fields.ManyToMany("demo.PetShop")

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "decl_rel2", "decl_rel2.Thing", "shops")


def test_relation_target_that_is_not_a_model_code() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_rel3.Thing"):
            other = fields.ManyToOne("Thing")
    assert_names(refused.value, "decl_rel3", "decl_rel3.Thing", "other")


def test_stored_model_relating_to_a_transient_model() -> None:
    module = Module("decl_rel4", depends=["base"])

    class Report(Model, model="decl_rel4.Report", kind="transient"):
        total = fields.Integer()

    class Thing(Model, model="decl_rel4.Thing"):
        report = fields.ManyToOne("decl_rel4.Report")

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "decl_rel4", "decl_rel4.Thing", "report")
    assert "transient" in str(refused.value)


def test_one_model_code_declared_by_two_classes() -> None:
    module = Module("decl_dup", depends=["base"])

    class First(Model, model="decl_dup.Thing"):
        name = fields.String()

    class Second(Model, model="decl_dup.Thing"):
        title = fields.String()

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "decl_dup", "decl_dup.Thing", None)
    assert "First" in str(refused.value) and "Second" in str(refused.value)


def test_two_fields_sharing_a_column() -> None:
    module = Module("decl_column", depends=["base"])

    class Thing(Model, model="decl_column.Thing"):
        parent = fields.ManyToOne("decl_column.Thing")
        parent_id = fields.BigInteger()

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "decl_column", "decl_column.Thing", "parent_id")
    assert "'parent'" in str(refused.value)


@pytest.mark.parametrize("code", ["decl_suffix.ThingQuery", "decl_suffix.ThingMutation"])
def test_model_code_ending_in_query_or_mutation(code: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model=code):
            name = fields.String()
    assert_names(refused.value, "decl_suffix", code, None)
    assert "Query or Mutation" in str(refused.value)


@pytest.mark.parametrize("code", ["decl_format.thing", "DeclFormat.Thing", "decl_format",
                                  "decl_format.Thing.Part", "decl-format.Thing", ".Thing",
                                  "decl_format.Pet_Shop"])
def test_bad_model_code_format(code: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model=code):
            name = fields.String()
    assert repr(code) in str(refused.value)
    assert "module.ModelName" in str(refused.value)
    assert "Thing" in str(refused.value)  # the class, for want of a valid module


@pytest.mark.parametrize("name", ["camelCase", "Capital", "trailingX", "ünder", "2nd"])
def test_field_name_must_be_snake_case(name: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        type("Thing", (Model,), {name: fields.String()}, model="decl_snake.Thing")
    assert_names(refused.value, "decl_snake", "decl_snake.Thing", name)
    assert "snake_case" in str(refused.value)


@pytest.mark.parametrize("name", ["id", "create", "create_date", "opt_version", "query_list",
                                  "save"])
def test_reserved_field_names(name: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        type("Thing", (Model,), {name: fields.Integer()}, model="decl_reserved.Thing")
    assert_names(refused.value, "decl_reserved", "decl_reserved.Thing", name)
    assert "reserved" in str(refused.value)


def test_bad_on_delete() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_ondelete.Thing"):
            parent = fields.ManyToOne("decl_ondelete.Thing", on_delete="DROP")
    assert_names(refused.value, "decl_ondelete", "decl_ondelete.Thing", "parent")
    assert "'DROP'" in str(refused.value) and "SET NULL, RESTRICT, CASCADE" in str(
        refused.value)


def test_on_delete_is_case_insensitive() -> None:
    class Thing(Model, model="decl_ondelete_case.Thing"):
        parent = fields.ManyToOne("decl_ondelete_case.Thing", on_delete="cascade")

    meta = registry_of(Module("decl_ondelete_case", depends=["base"])).model(
        "decl_ondelete_case.Thing")
    assert meta.fields["parent"].on_delete == "CASCADE"


@pytest.mark.parametrize("inverse", ["nothing", "name", "other", None])
def test_one_to_many_with_a_wrong_inverse(inverse: str | None) -> None:
    code = f"decl_inverse_{inverse}".lower()  # a module code per case
    module = Module(code, depends=["base"])

    class Parent(Model, model=f"{code}.Parent"):
        name = fields.String()
        children = fields.OneToMany(f"{code}.Child", inverse=inverse)

    class Other(Model, model=f"{code}.Other"):
        name = fields.String()

    class Child(Model, model=f"{code}.Child"):
        name = fields.String()
        other = fields.ManyToOne(f"{code}.Other")

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, code, f"{code}.Parent", "children")
    assert f"inverse {inverse!r}" in str(refused.value)


def test_unknown_class_keyword() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_keyword.Thing", tabel="things"):
            name = fields.String()
    assert_names(refused.value, "decl_keyword", "decl_keyword.Thing", None)
    assert "tabel" in str(refused.value)


def test_unknown_model_kind() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="decl_kind.Thing", kind="view"):
            name = fields.String()
    assert_names(refused.value, "decl_kind", "decl_kind.Thing", None)
    assert "'view'" in str(refused.value)


def test_enum_field_needs_an_enum_class() -> None:
    class Mixed(enum.Enum):
        A = "a"
        B = 2

    with pytest.raises(DeclarationError, match="Enum"):
        fields.Enum(int)
    with pytest.raises(DeclarationError, match=re.escape("Mixed")):
        fields.Enum(Mixed)
