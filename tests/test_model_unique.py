"""A model's `unique=[(...)]`: one named constraint per set (a many-to-one by its column),
inherited from abstract models and joined by extensions; a violation is UNIQUE_VIOLATION
naming the model and the fields, on every database; NULLs never collide; `save()` finds a
record by a unique set; bad declarations name the model and the field."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from modelry import DeclarationError, Model, Module, UniqueViolation, directives, fields
from modelry.boot import App
from modelry.core.registry import Registry, build_registry
from modelry.core.registry.catalog import forget
from modelry.core.registry.discovery import resolve
from tests.functions.helpers import Client
from tests.uniq import module as uniq
from tests.uniq.models import Item, Shelf, Tag


@pytest.fixture
def uapp(make_app: Callable[..., App]) -> Iterator[App]:
    """The `uniq` module on each test database, tables empty, back-end directives."""
    app = make_app([uniq])
    with app.activate(), directives.backend_scope():
        yield app


def registry_of(*modules: Module | str) -> Registry:
    """A registry of these modules (and base), without a database."""
    return build_registry(resolve(list(modules)))


# ── tables ───────────────────────────────────────────────────────────────────
def test_each_set_is_one_named_constraint_over_its_columns(uapp: App) -> None:
    inspector = sa.inspect(uapp.engine)
    unique = {table: sorted((u["name"], tuple(u["column_names"]))
                            for u in inspector.get_unique_constraints(table))
              for table in ("uniq_item", "uniq_tag")}
    assert unique == {
        "uniq_item": [("uq_uniq_item_shelf_id_code", ("shelf_id", "code"))],
        "uniq_tag": [("uq_uniq_tag_owner_code", ("owner", "code")),    # from uniq.Coded
                     ("uq_uniq_tag_owner_label", ("owner", "label"))]}


def test_the_registry_keeps_field_names_and_the_fingerprint_of_other_models() -> None:
    registry = registry_of(uniq)
    assert registry.model("uniq.Item").unique == [("shelf", "code")]
    assert registry.model("uniq.Tag").unique == [("owner", "code"), ("owner", "label")]
    assert registry.model("uniq.Item").describe()["unique"] == [["shelf", "code"]]
    assert "unique" not in registry.model("uniq.Shelf").describe()  # fingerprint as before


# ── violations ───────────────────────────────────────────────────────────────
def test_a_used_pair_names_the_model_the_fields_and_the_values(uapp: App) -> None:
    with uapp.transaction():
        first, second = Shelf(name="first").create(), Shelf(name="second").create()
        Item(shelf=first.id, code="A").create()
        Item(shelf=second.id, code="A").create()          # another shelf: allowed
        Item(shelf=first.id, code="B").create()           # another code: allowed
    with pytest.raises(UniqueViolation) as caught, uapp.transaction():
        Item(shelf=first.id, code="A", label="again").create()
    error = caught.value
    assert (error.code, error.model, error.field, error.fields) == \
        ("UNIQUE_VIOLATION", "uniq.Item", None, ("shelf", "code"))
    assert error.message == \
        f"uniq.Item (shelf, code): the values ({first.id}, 'A') are already used together"
    with uapp.transaction():
        assert Item.count() == 3


def test_a_batch_or_an_update_that_collides_is_refused_the_same_way(uapp: App) -> None:
    with uapp.transaction():
        shelf = Shelf(name="s").create()
        Item(shelf=shelf.id, code="A").create()
        moved = Item(shelf=shelf.id, code="B").create()
    with pytest.raises(UniqueViolation) as batch, uapp.transaction():
        Item.create_batch([Item(shelf=shelf.id, code="C"), Item(shelf=shelf.id, code="C")])
    with pytest.raises(UniqueViolation) as update, uapp.transaction():
        Item(id=moved.id, code="A").update_by_id()     # the shelf is not in the record
    for error in (batch.value, update.value):
        assert (error.model, error.fields) == ("uniq.Item", ("shelf", "code"))
        assert error.message.startswith("uniq.Item (shelf, code): the values")
        assert "uniq_item" not in error.message        # never the table's name
    with uapp.transaction():
        assert sorted(item.code for item in Item.query_list()) == ["A", "B"]


def test_an_inherited_set_and_an_own_set_both_hold(uapp: App) -> None:
    with uapp.transaction():
        Tag(owner="ann", code="x", label="red").create()
        Tag(owner="bob", code="x", label="red").create()
    for duplicate, names in ((Tag(owner="ann", code="x", label="blue"), ("owner", "code")),
                             (Tag(owner="ann", code="y", label="red"), ("owner", "label"))):
        with pytest.raises(UniqueViolation) as caught, uapp.transaction():
            duplicate.create()
        assert (caught.value.model, caught.value.fields) == ("uniq.Tag", names)


def test_nulls_never_collide(uapp: App) -> None:
    """SQLite, PostgreSQL (NULLS DISTINCT, its default) and MariaDB alike: a row whose set
    holds a NULL is unique whatever the other values."""
    with uapp.transaction():
        shelf = Shelf(name="s").create()
        for _ in range(2):
            Item(shelf=None, code="A").create()
            Item(shelf=shelf.id, code=None).create()
        assert Item.count() == 4


def test_save_finds_the_record_by_a_unique_set(uapp: App) -> None:
    with uapp.transaction():
        shelf = Shelf(name="s").create()
        kept = Item(shelf=shelf.id, code="A", label="old").create()
        saved = Item(shelf=shelf.id, code="A", label="new").save()
        assert saved.id == kept.id
        other = Item(shelf=shelf.id, code="B", label="other").save()   # no match: inserted
        assert other.id != kept.id
        assert [(i.code, i.label) for i in Item.query_list(sort="code")] == \
            [("A", "new"), ("B", "other")]


def test_a_graphql_create_that_collides_answers_unique_violation(uapp: App) -> None:
    with uapp.transaction():
        shelf = Shelf(name="s").create()
        Item(shelf=shelf.id, code="A").create()
    answer = Client(uapp).gql('mutation($s: Long) { itemMutation { create(data: {shelfId: $s, '
                              'code: "A"}) { id } } }', {"s": str(shelf.id)})
    error = answer.error
    assert error["extensions"]["code"] == "UNIQUE_VIOLATION"
    assert error["message"] == \
        f"uniq.Item (shelf, code): the values ({shelf.id}, 'A') are already used together"


# ── declarations ─────────────────────────────────────────────────────────────
def assert_names(error: DeclarationError, module: str, model: str, field: str | None) -> None:
    """The message and the error's attributes name the declaring module, the model (and
    the field)."""
    message = str(error)
    assert message.startswith(f"{module}: model {model}"), message
    assert (error.module, error.model, error.field) == (module, model, field)
    if field is not None:
        assert f"'{field}'" in message, message


def test_an_unknown_field_is_named() -> None:
    module = Module("uq_decl", depends=["base"])

    class Thing(Model, model="uq_decl.Thing", unique=[("name", "colour")]):
        name = fields.String()

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "uq_decl", "uq_decl.Thing", "colour")
    assert "not a field of the model" in str(refused.value)


def test_a_to_many_field_has_no_column_to_be_unique() -> None:
    module = Module("uq_decl2", depends=["base"])

    class Tag(Model, model="uq_decl2.Tag"):
        name = fields.String()

    class Thing(Model, model="uq_decl2.Thing", unique=[("name", "tags")]):
        name = fields.String()
        tags = fields.ManyToMany("uq_decl2.Tag")

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    assert_names(refused.value, "uq_decl2", "uq_decl2.Thing", "tags")
    assert "has no column" in str(refused.value)


def test_a_system_field_may_be_in_a_set() -> None:
    module = Module("uq_decl5", depends=["base"])

    class Note(Model, model="uq_decl5.Note", unique=[("create_uid", "title")]):
        title = fields.String()

    assert registry_of(module).model("uq_decl5.Note").unique == [("create_uid", "title")]


@pytest.mark.parametrize(("unique", "problem"), [
    ("name", "takes a list of field-name tuples"),
    ([("name",)], "needs two or more distinct fields"),
    ([("name", "name")], "needs two or more distinct fields"),
    ([("name", "code"), ("code", "name")], "is declared twice"),
    ([("name", 3)], "tuples of field names"),
])
def test_malformed_sets_are_refused(unique: object, problem: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="uq_decl3.Thing", unique=unique):
            name = fields.String()
            code = fields.String()
    assert_names(refused.value, "uq_decl3", "uq_decl3.Thing", None)
    assert problem in str(refused.value)


def test_a_transient_model_has_no_table_to_be_unique_in() -> None:
    with pytest.raises(DeclarationError) as refused:
        class Thing(Model, model="uq_decl4.Thing", kind="transient", unique=[("a", "b")]):
            a = fields.String()
            b = fields.String()
    assert_names(refused.value, "uq_decl4", "uq_decl4.Thing", None)


def test_an_extension_adds_a_set_checked_once_its_fields_have_joined() -> None:
    owner = Module("uq_own", depends=["base"])
    extender = Module("uq_ext", depends=["uq_own"])

    class Box(Model, model="uq_own.Box"):
        name = fields.String()

    class Numbered(Model, inherit="uq_own.Box", module="uq_ext",
                   unique=[("name", "number")]):
        number = fields.Integer()

    class Alias(Model, model="uq_own.Alias", proxy="uq_own.Box"):
        """A proxy: the target's sets hold for it too."""

    registry = registry_of(owner, extender)
    assert registry.model("uq_own.Box").unique == [("name", "number")]
    assert registry.model("uq_own.Alias").unique == [("name", "number")]
    assert registry_of(owner).model("uq_own.Box").unique == []   # without the extension

    class Wrong(Model, inherit="uq_own.Box", module="uq_ext", unique=[("name", "size")]):
        pass

    try:
        with pytest.raises(DeclarationError) as refused:
            registry_of(owner, extender)
    finally:
        forget("uq_ext")  # the wrong extension stays out of other tests' registries
    assert_names(refused.value, "uq_ext", "uq_own.Box", "size")
