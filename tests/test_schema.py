"""Tables as each database holds them (checked by reflection), and constraints that act."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from modelry import IntegrityViolation, Model, Module, fields
from modelry.boot import App
from modelry.core.schema.names import constraint_name

module = Module("schematest", depends=["base"], display_name="Schema checks")


class Parent(Model, model="schematest.Parent", optimistic_lock=True):
    """Locked; a unique name, an indexed code, exact numbers, tags, a self relation."""

    name = fields.String(size=40, required=True, unique=True)
    code = fields.String(size=10, index=True)
    label = fields.String()
    amount = fields.Decimal(precision=12, scale=3)
    price = fields.Money()
    tags = fields.ManyToMany("schematest.Tag")
    friends = fields.ManyToMany("schematest.Parent")


class Tag(Model, model="schematest.Tag"):
    """Plain (not locked)."""

    title = fields.String(size=20)


class Child(Model, model="schematest.Child"):
    """One reference per ON DELETE rule."""

    loose = fields.ManyToOne("schematest.Parent")
    kept = fields.ManyToOne("schematest.Parent", on_delete="RESTRICT")
    owned = fields.ManyToOne("schematest.Parent", on_delete="CASCADE")
    needed = fields.ManyToOne("schematest.Tag", required=True)


class Student(Model, model="schematest.Student"):
    """Linked to courses through an explicit model."""

    name = fields.String(size=40)
    courses = fields.ManyToMany("schematest.Course", through="schematest.Enrollment")


class Course(Model, model="schematest.Course"):
    """A course."""

    title = fields.String(size=40)


class Enrollment(Model, model="schematest.Enrollment"):
    """The explicit join model of Student.courses."""

    student = fields.ManyToOne("schematest.Student", on_delete="CASCADE")
    course = fields.ManyToOne("schematest.Course", on_delete="CASCADE")
    grade = fields.Integer()


class LongName(Model, model="schematest.AVeryLongModelNameThatTestsNameLimits"):
    """Constraint names longer than an identifier may be (63 on PostgreSQL, 64 on MySQL)."""

    a_rather_long_reference_name = fields.ManyToOne("schematest.Parent")
    another_long_unique_column_name = fields.String(size=20, unique=True)


LONG_TABLE = "schematest_a_very_long_model_name_that_tests_name_limits"


@pytest.fixture
def sapp(make_app: Callable[..., App]) -> Iterator[App]:
    """The schematest module booted on each database, empty, active."""
    app = make_app([module])
    with app.activate():
        yield app


MODEL_TABLES = {"schematest_parent", "schematest_tag", "schematest_child", "schematest_student",
                "schematest_course", "schematest_enrollment", LONG_TABLE}
JOIN_TABLES = {"schematest_parent_tags_rel", "schematest_parent_friends_rel"}


def columns(app: App, table: str) -> dict[str, dict]:
    """Reflected columns of `table` by name."""
    return {column["name"]: column for column in sa.inspect(app.engine).get_columns(table)}


def on_delete(app: App, table: str, column: str) -> str:
    """The reflected ON DELETE rule of the foreign key on `column`.

    MariaDB's SHOW CREATE TABLE leaves out ON DELETE RESTRICT (its default), so a
    foreign key reflected there without a rule is RESTRICT.
    """
    keys = [key for key in sa.inspect(app.engine).get_foreign_keys(table)
            if key["constrained_columns"] == [column]]
    assert len(keys) == 1, keys
    rule = keys[0]["options"].get("ondelete")
    if rule is None and app.dialect == "mysql":
        return "RESTRICT"
    return rule


def test_tables_are_named_module_then_snake_case_model(sapp: App) -> None:
    tables = {t for t in sa.inspect(sapp.engine).get_table_names() if t.startswith("schematest")}
    assert tables == MODEL_TABLES | JOIN_TABLES


def test_id_is_a_64_bit_primary_key(sapp: App) -> None:
    inspector = sa.inspect(sapp.engine)
    for table in sorted(MODEL_TABLES):
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["id"], table
        id_type = columns(sapp, table)["id"]["type"]
        if sapp.dialect == "sqlite":
            # SQLite assigns ids only to a column declared exactly INTEGER PRIMARY KEY: an
            # alias of the rowid, which is already 64-bit. BIGINT there would get no ids.
            assert type(id_type) is sa.INTEGER, table
        else:
            assert isinstance(id_type, sa.BigInteger), table


def test_ids_beyond_double_precision_are_kept(sapp: App) -> None:
    big = 2**53 + 1
    with sapp.transaction():
        Tag(id=big, title="far").create()
    with sapp.transaction():
        found = Tag.query_by_id(big)
    assert (found.id, found.title) == (big, "far")


def test_string_columns_have_the_declared_length(sapp: App) -> None:
    found = columns(sapp, "schematest_parent")
    assert {name: found[name]["type"].length for name in ("name", "code", "label")} == {
        "name": 40, "code": 10, "label": 128}
    assert found["name"]["nullable"] is False
    assert found["code"]["nullable"] is True


def test_decimal_columns_keep_precision_and_scale(sapp: App) -> None:
    found = columns(sapp, "schematest_parent")
    assert (found["amount"]["type"].precision, found["amount"]["type"].scale) == (12, 3)
    assert (found["price"]["type"].precision, found["price"]["type"].scale) == (20, 4)


def test_many_to_one_is_an_indexed_bigint_foreign_key_named_field_id(sapp: App) -> None:
    inspector = sa.inspect(sapp.engine)
    found = columns(sapp, "schematest_child")
    references = {"loose_id": "schematest_parent", "kept_id": "schematest_parent",
                  "owned_id": "schematest_parent", "needed_id": "schematest_tag"}
    for column in references:
        assert isinstance(found[column]["type"], sa.BigInteger), column
    assert {name: found[name]["nullable"] for name in references} == {
        "loose_id": True, "kept_id": True, "owned_id": True, "needed_id": False}
    keys = {tuple(key["constrained_columns"]): (key["referred_table"], key["referred_columns"])
            for key in inspector.get_foreign_keys("schematest_child")}
    assert keys == {(column,): (table, ["id"]) for column, table in references.items()}
    indexed = {tuple(index["column_names"]) for index in inspector.get_indexes("schematest_child")}
    assert indexed >= {(column,) for column in references}


def test_on_delete_rules_are_in_the_schema(sapp: App) -> None:
    rules = {column: on_delete(sapp, "schematest_child", column)
             for column in ("loose_id", "kept_id", "owned_id", "needed_id")}
    # a required reference cannot be set to NULL, so its default rule becomes RESTRICT
    assert rules == {"loose_id": "SET NULL", "kept_id": "RESTRICT", "owned_id": "CASCADE",
                     "needed_id": "RESTRICT"}


def make_child(**parents: Parent) -> tuple[Tag, Child]:
    """A child referencing `parents`, plus the tag its required reference needs."""
    tag = Tag(title="needed").create()
    return tag, Child(needed=tag, **parents).create()


def test_deleting_a_parent_sets_null_on_set_null_references(sapp: App) -> None:
    with sapp.transaction():
        parent = Parent(name="p").create()
        _, child = make_child(loose=parent)
    with sapp.transaction():
        assert parent.delete_by_id() == 1
    with sapp.transaction():
        found = Child.query_by_id(child.id)
        assert found is not None
        assert found.loose_id is None
        assert found.loose is None


def test_deleting_a_parent_with_restrict_references_is_refused(sapp: App) -> None:
    with sapp.transaction():
        parent = Parent(name="p").create()
        _, child = make_child(kept=parent)
    with pytest.raises(IntegrityViolation) as refused, sapp.transaction():
        parent.delete_by_id()
    assert refused.value.model == "schematest.Parent"
    assert "schematest.Parent" in str(refused.value)
    with sapp.transaction():
        assert Parent.query_by_id(parent.id) is not None
        assert Child.query_by_id(child.id).kept_id == parent.id


def test_deleting_a_parent_cascades_to_cascade_references(sapp: App) -> None:
    with sapp.transaction():
        parent, other = Parent(name="p").create(), Parent(name="q").create()
        _, child = make_child(owned=parent)
        _, survivor = make_child(owned=other)
    with sapp.transaction():
        parent.delete_by_id()
    with sapp.transaction():
        assert Child.query_by_id(child.id) is None
        assert Child.query_by_id(survivor.id) is not None


def test_a_required_reference_restricts_deleting_its_target(sapp: App) -> None:
    with sapp.transaction():
        tag, child = make_child()
    with pytest.raises(IntegrityViolation), sapp.transaction():
        tag.delete_by_id()
    with sapp.transaction():
        assert Child.query_by_id(child.id).needed_id == tag.id


def test_generated_join_table_has_two_bigint_keys_and_a_composite_primary_key(
        sapp: App) -> None:
    inspector = sa.inspect(sapp.engine)
    found = columns(sapp, "schematest_parent_tags_rel")
    assert list(found) == ["parent_id", "tag_id"]
    assert all(isinstance(c["type"], sa.BigInteger) and not c["nullable"]
               for c in found.values())
    assert inspector.get_pk_constraint("schematest_parent_tags_rel")["constrained_columns"] == [
        "parent_id", "tag_id"]
    assert on_delete(sapp, "schematest_parent_tags_rel", "parent_id") == "CASCADE"
    assert on_delete(sapp, "schematest_parent_tags_rel", "tag_id") == "CASCADE"


def test_a_self_relation_names_the_far_column_after_the_field(sapp: App) -> None:
    assert list(columns(sapp, "schematest_parent_friends_rel")) == ["parent_id", "friends_id"]
    with sapp.transaction():
        ann = Parent(name="ann").create()
        bob = Parent(name="bob", friends=[ann]).create()
    with sapp.transaction():
        assert [p.name for p in Parent.query_by_id(bob.id).friends] == ["ann"]
        assert Parent.query_by_id(ann.id).friends == []


def test_generated_join_table_holds_the_links(sapp: App) -> None:
    rel = sa.table("schematest_parent_tags_rel", sa.column("parent_id"), sa.column("tag_id"))
    with sapp.transaction():
        red, blue = Tag(title="red").create(), Tag(title="blue").create()
        parent = Parent(name="p", tags=[red, blue]).create()
    with sapp.engine.connect() as connection:
        rows = set(connection.execute(sa.select(rel.c.parent_id, rel.c.tag_id)))
    assert rows == {(parent.id, red.id), (parent.id, blue.id)}
    with sapp.transaction():
        red.delete_by_id()  # the join rows go with the tag
    with sapp.transaction():
        assert [t.title for t in Parent.query_by_id(parent.id).tags] == ["blue"]


def test_explicit_through_model_is_the_join_table(sapp: App) -> None:
    tables = set(sa.inspect(sapp.engine).get_table_names())
    assert "schematest_student_courses_rel" not in tables
    assert sapp.registry.model("schematest.Student").fields["courses"].join_table == (
        "schematest_enrollment")
    with sapp.transaction():
        maths, art = Course(title="maths").create(), Course(title="art").create()
        student = Student(name="s", courses=[maths, art]).create()
    with sapp.transaction():
        links = Enrollment.query_list(sort="course_id")
        assert [(e.student_id, e.course_id) for e in links] == [
            (student.id, maths.id), (student.id, art.id)]
        assert [c.title for c in Student.query_by_id(student.id).courses] == ["maths", "art"]


def expected_names() -> dict[str, set[str]]:
    """Every constraint and index name the naming convention gives the schematest tables."""
    names: dict[str, set[str]] = {table: {f"pk_{table}"} for table in MODEL_TABLES | JOIN_TABLES}
    names["schematest_parent"] |= {"uq_schematest_parent_name", "ix_schematest_parent_code"}
    for column in ("loose_id", "kept_id", "owned_id", "needed_id"):
        names["schematest_child"] |= {f"fk_schematest_child_{column}",
                                      f"ix_schematest_child_{column}"}
    for column in ("student_id", "course_id"):
        names["schematest_enrollment"] |= {f"fk_schematest_enrollment_{column}",
                                           f"ix_schematest_enrollment_{column}"}
    names[LONG_TABLE] = {constraint_name("pk", LONG_TABLE)} | {
        constraint_name(kind, LONG_TABLE, column) for kind, column in (
            ("fk", "a_rather_long_reference_name_id"), ("ix", "a_rather_long_reference_name_id"),
            ("uq", "another_long_unique_column_name"))}
    for table, far in (("schematest_parent_tags_rel", "tag_id"),
                       ("schematest_parent_friends_rel", "friends_id")):
        names[table] |= {f"fk_{table}_parent_id", f"fk_{table}_{far}", f"ix_{table}_{far}"}
    return names


def test_every_constraint_and_index_is_named_by_the_convention(sapp: App) -> None:
    inspector = sa.inspect(sapp.engine)
    found: dict[str, set[str]] = {}
    for table in MODEL_TABLES | JOIN_TABLES:
        names = {key["name"] for key in inspector.get_foreign_keys(table)}
        names |= {index["name"] for index in inspector.get_indexes(table)}
        names |= {unique["name"] for unique in inspector.get_unique_constraints(table)}
        primary = inspector.get_pk_constraint(table)["name"]
        if sapp.dialect == "mysql":
            assert primary is None  # MySQL/MariaDB name every primary key PRIMARY
            primary = f"pk_{table}"
        found[table] = names | {primary}
    assert found == expected_names()


def test_long_constraint_names_are_shortened_to_fit_every_database(sapp: App) -> None:
    names = expected_names()[LONG_TABLE]
    assert len(names) == 4
    assert all(len(name) <= 60 for name in names), names
    assert {name[:3] for name in names} == {"pk_", "fk_", "ix_", "uq_"}
    assert all(name[3:].startswith("schematest_a_very_long") for name in names)


def test_every_stored_model_has_audit_columns(sapp: App) -> None:
    for table in sorted(MODEL_TABLES):
        found = columns(sapp, table)
        for name in ("create_date", "write_date"):
            assert isinstance(found[name]["type"], sa.DateTime), (table, name)
            assert found[name]["nullable"] is True
        for name in ("create_uid", "write_uid"):
            assert isinstance(found[name]["type"], sa.BigInteger), (table, name)
            assert found[name]["nullable"] is True


def test_audit_columns_are_filled_on_create(sapp: App) -> None:
    with sapp.acting_as(7), sapp.transaction():
        tag = Tag(title="t").create()
    with sapp.transaction():
        found = Tag.query_by_id(tag.id)
    assert (found.create_uid, found.write_uid) == (7, 7)
    assert found.create_date is not None
    assert found.create_date == found.write_date


def test_locked_model_has_opt_version_bigint_not_null_default_zero(sapp: App) -> None:
    found = columns(sapp, "schematest_parent")["opt_version"]
    assert isinstance(found["type"], sa.BigInteger)
    assert found["nullable"] is False
    assert str(found["default"]).strip("'") == "0"
    assert "opt_version" not in columns(sapp, "schematest_tag")


def test_a_row_inserted_without_opt_version_gets_zero(sapp: App) -> None:
    table = sa.Table("schematest_parent", sa.MetaData(), autoload_with=sapp.engine)
    with sapp.engine.begin() as connection:
        connection.execute(sa.insert(table).values(name="by a DBA"))
    with sapp.transaction():
        assert Parent.query_one(name="by a DBA").opt_version == 0


def test_unique_field_is_enforced_with_the_model_named(sapp: App) -> None:
    with sapp.transaction():
        Parent(name="only").create()
    with pytest.raises(IntegrityViolation) as refused, sapp.transaction():
        Parent(name="only").create()
    assert refused.value.code == "UNIQUE_VIOLATION"
    assert refused.value.model == "schematest.Parent"
    assert str(refused.value) == "schematest.Parent.name: the value 'only' is already used"
    with sapp.transaction():
        assert Parent.count(name="only") == 1
