"""Model kinds, extending another module's model, and naming rules (bad declarations:
test_declaration_errors.py)."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from modelry import DataError, DeclarationError, Model, Module, fields
from modelry.boot import App
from tests.declaring import registry_of

# ── model kinds ──────────────────────────────────────────────────────────────
kinds = Module("decltest", depends=["base"], display_name="Model kinds")


class Priority(Model):
    """A plain mixin (no model code): its fields go to the models that use it."""

    priority = fields.Integer(default=5)


class Stamped(Model, model="decltest.Stamped", kind="abstract"):
    """Abstract: fields only."""

    stamp = fields.String(size=20, required=True)
    note = fields.Text()


class Ticket(Stamped, Priority, model="decltest.Ticket"):
    """Stored; inherits stamp and note from Stamped, priority from the mixin."""

    title = fields.String(size=60)


class Summary(Model, model="decltest.Summary", kind="transient"):
    """Transient: constructed, never stored."""

    total = fields.Integer(default=3)
    label = fields.String()


class OpenTicket(Model, model="decltest.OpenTicket", proxy="decltest.Ticket"):
    """Proxy: another code over Ticket's table."""


# ── an extension from another module ─────────────────────────────────────────
owner = Module("declbase", depends=["base"], display_name="Owns Thing")
extender = Module("declext", depends=["declbase"], display_name="Extends Thing")


class Thing(Model, model="declbase.Thing"):
    """Declared by declbase."""

    name = fields.String(size=40)


class Category(Model, model="declext.Category"):
    """declext's own model, which its extension of Thing points at."""

    title = fields.String(size=40)
    things = fields.OneToMany("declbase.Thing", inverse="category")


class ThingExtension(Model, inherit="declbase.Thing", module="declext"):
    """declext adds three fields to declbase.Thing: they join declbase_thing."""

    color = fields.String(size=16)
    weight = fields.Integer(default=7)
    category = fields.ManyToOne("declext.Category", on_delete="CASCADE")


@pytest.fixture
def dapp(make_app: Callable[..., App]) -> Iterator[App]:
    """decltest, declbase and declext booted on each database, empty, active."""
    app = make_app([kinds, owner, extender])
    with app.activate():
        yield app


def table_names(app: App) -> set[str]:
    """Tables the database holds."""
    return set(sa.inspect(app.engine).get_table_names())


def column_names(app: App, table: str) -> list[str]:
    """Columns of `table`, as the database reports them."""
    return [column["name"] for column in sa.inspect(app.engine).get_columns(table)]


def test_abstract_model_has_no_table_and_gives_its_fields_to_subclasses(dapp: App) -> None:
    abstract = dapp.registry.model("decltest.Stamped")
    assert (abstract.kind, abstract.table) == ("abstract", None)
    assert "decltest_stamped" not in table_names(dapp)
    assert {"stamp", "note", "priority", "title"} < set(column_names(dapp, "decltest_ticket"))
    ticket = dapp.registry.model("decltest.Ticket")
    assert ticket.fields["stamp"].model == "decltest.Ticket"
    assert ticket.fields["stamp"].required


def test_inherited_fields_round_trip(dapp: App) -> None:
    with dapp.transaction():
        created = Ticket(stamp="S-1", note="n" * 300, title="t").create()
    with dapp.transaction():
        found = Ticket.query_by_id(created.id)
    assert (found.stamp, found.note, found.title, found.priority) == ("S-1", "n" * 300, "t", 5)


def test_abstract_model_cannot_be_stored(dapp: App) -> None:
    with pytest.raises(DataError) as refused, dapp.transaction():
        Stamped(stamp="x").create()
    assert refused.value.code == "NOT_STORED"
    assert "decltest.Stamped" in str(refused.value)


def test_transient_model_has_no_table(dapp: App) -> None:
    assert dapp.registry.model("decltest.Summary").table is None
    assert not any(name.startswith("decltest_summary") for name in table_names(dapp))


def test_transient_model_constructs_with_defaults(dapp: App) -> None:
    record = Summary.construct(label="weekly")
    assert isinstance(record, Summary)
    assert (record.total, record.label, record.id) == (3, "weekly", None)


def test_creating_a_transient_record_is_refused_naming_the_model(dapp: App) -> None:
    with pytest.raises(DataError) as refused, dapp.transaction():
        Summary(total=1).create()
    assert refused.value.code == "NOT_STORED"
    assert refused.value.model == "decltest.Summary"
    assert "decltest.Summary" in str(refused.value)


def test_querying_a_transient_model_is_refused(dapp: App) -> None:
    with pytest.raises(DataError) as refused, dapp.transaction():
        Summary.query_list()
    assert refused.value.code == "NOT_STORED"


def test_proxy_reads_and_writes_the_original_table(dapp: App) -> None:
    proxy = dapp.registry.model("decltest.OpenTicket")
    assert (proxy.kind, proxy.table) == ("proxy", "decltest_ticket")
    assert not any("open_ticket" in name for name in table_names(dapp))
    with dapp.transaction():
        via_proxy = OpenTicket(stamp="P", title="through the proxy").create()
        via_original = Ticket(stamp="O", title="through the original").create()
    with dapp.transaction():
        seen = Ticket.query_by_id(via_proxy.id)
        assert seen.title == "through the proxy"
        assert isinstance(seen, Ticket)
        found = OpenTicket.query_by_id(via_original.id)
        assert isinstance(found, OpenTicket)
        assert (found.stamp, found.priority) == ("O", 5)
        assert OpenTicket.count() == Ticket.count() == 2


def test_proxy_adding_a_stored_field_is_rejected() -> None:
    module = Module("decl_proxy_bad", depends=["base"])

    class Real(Model, model="decl_proxy_bad.Real"):
        name = fields.String()

    class Extra(Model, model="decl_proxy_bad.Extra", proxy="decl_proxy_bad.Real"):
        nickname = fields.String()

    with pytest.raises(DeclarationError) as refused:
        registry_of(module)
    message = str(refused.value)
    assert "decl_proxy_bad" in message and "decl_proxy_bad.Extra" in message
    assert "nickname" in message
    assert refused.value.field == "nickname"


def test_proxy_of_a_model_without_table_is_rejected() -> None:
    module = Module("decl_proxy_abstract", depends=["base"])

    class Base(Model, model="decl_proxy_abstract.Base", kind="abstract"):
        name = fields.String()

    class View(Model, model="decl_proxy_abstract.View", proxy="decl_proxy_abstract.Base"):
        pass

    with pytest.raises(DeclarationError, match=r"decl_proxy_abstract\.View.*"
                                               r"decl_proxy_abstract\.Base"):
        registry_of(module)


# ── extension ────────────────────────────────────────────────────────────────
def test_extension_fields_join_the_owners_table(dapp: App) -> None:
    assert column_names(dapp, "declbase_thing")[:5] == [
        "id", "name", "color", "weight", "category_id"]
    assert not any(name.startswith("declext_thing") for name in table_names(dapp))
    meta = dapp.registry.model("declbase.Thing")
    assert (meta.module, meta.extended_by) == ("declbase", ["declext"])


def test_extension_fields_round_trip(dapp: App) -> None:
    with dapp.transaction():
        category = Category(title="tools").create()
        created = Thing(name="hammer", color="red", category=category).create()
        through_extension = ThingExtension(name="saw", color="blue").create()
    with dapp.transaction():
        found = Thing.query_by_id(created.id)
        assert (found.name, found.color, found.weight) == ("hammer", "red", 7)
        assert found.category.title == "tools"
        assert [t.name for t in Category.query_by_id(category.id).things] == ["hammer"]
        other = Thing.query_by_id(through_extension.id)
        assert (other.name, other.color, other.category) == ("saw", "blue", None)


def test_without_the_extending_module_the_model_has_only_its_own_fields() -> None:
    meta = registry_of(owner).model("declbase.Thing")
    assert "color" not in meta.fields and "category" not in meta.fields
    assert meta.extended_by == []


def test_extending_without_depending_on_the_owner_is_an_error() -> None:
    loner = Module("decl_ext_nodep", depends=["base"])

    class Sneaky(Model, inherit="declbase.Thing", module="decl_ext_nodep"):
        shade = fields.String()

    with pytest.raises(DeclarationError) as refused:
        registry_of(owner, loner)
    message = str(refused.value)
    assert "decl_ext_nodep" in message and "declbase.Thing" in message
    assert "without depending on declbase" in message
    assert (refused.value.module, refused.value.model) == ("decl_ext_nodep", "declbase.Thing")


def test_extending_an_unknown_model_is_an_error() -> None:
    module = Module("decl_ext_unknown", depends=["declbase"])

    class Lost(Model, inherit="declbase.Nowhere", module="decl_ext_unknown"):
        shade = fields.String()

    with pytest.raises(DeclarationError) as refused:
        registry_of(owner, module)
    message = str(refused.value)
    assert message.startswith("decl_ext_unknown:")
    assert "declbase.Nowhere" in message and "Lost" in message


def test_redeclaring_an_existing_field_in_an_extension_is_an_error() -> None:
    module = Module("decl_ext_dup", depends=["declbase"])

    class Again(Model, inherit="declbase.Thing", module="decl_ext_dup"):
        name = fields.String(size=80)

    with pytest.raises(DeclarationError) as refused:
        registry_of(owner, module)
    message = str(refused.value)
    assert message.startswith("decl_ext_dup:")
    assert "declbase.Thing" in message and "'name'" in message and "module declbase" in message
    assert refused.value.field == "name"


# ── naming ───────────────────────────────────────────────────────────────────
naming = Module("declname", depends=["base"])


class PetShop(Model, model="declname.PetShop"):
    """Two-word name."""

    shop_owner = fields.ManyToOne("declname.Person")
    tags = fields.ManyToMany("declname.ShopTag")


class Person(Model, model="declname.Person"):
    """One-word name."""

    name = fields.String()


class ShopTag(Model, model="declname.ShopTag"):
    """Joined to PetShop by a generated table."""

    name = fields.String()


class OrderLine2(Model, model="declname.OrderLine2"):
    """Digits in the name."""

    name = fields.String()


@pytest.mark.parametrize(("code", "table", "technical"), [
    ("declname.PetShop", "declname_pet_shop", "petShop"),
    ("declname.Person", "declname_person", "person"),
    ("declname.ShopTag", "declname_shop_tag", "shopTag"),
    ("declname.OrderLine2", "declname_order_line2", "orderLine2"),
])
def test_table_and_technical_names(code: str, table: str, technical: str) -> None:
    meta = registry_of(naming).model(code)
    assert (meta.table, meta.name, meta.module) == (table, technical, "declname")


def test_demo_pet_shop_is_called_pet_shop() -> None:
    meta = registry_of("demo").model("demo.PetShop")
    assert (meta.table, meta.name) == ("demo_pet_shop", "petShop")
    assert meta.fields["owner"].column == "owner_id"


def test_many_to_one_column_and_join_table_names() -> None:
    shop = registry_of(naming).model("declname.PetShop")
    assert shop.fields["shop_owner"].column == "shop_owner_id"
    tags = shop.fields["tags"]
    assert (tags.join_table, tags.source_column, tags.target_column) == (
        "declname_pet_shop_tags_rel", "pet_shop_id", "shop_tag_id")


def test_two_models_with_one_graphql_name_are_an_error() -> None:
    first, second = Module("declclash_a", depends=["base"]), Module("declclash_b",
                                                                     depends=["base"])

    class ItemA(Model, model="declclash_a.Item"):
        name = fields.String()

    class ItemB(Model, model="declclash_b.Item"):
        name = fields.String()

    registry_of(first)  # alone, each is fine
    with pytest.raises(DeclarationError) as refused:
        registry_of(first, second)
    message = str(refused.value)
    assert "declclash_a.Item" in message and "declclash_b.Item" in message
    assert "'item'" in message
