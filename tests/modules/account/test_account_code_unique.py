"""An account's `code` is unique per ledger (`unique=[("ledger", "code")]`): the same code in
another ledger is fine, a second one in the ledger is UNIQUE_VIOLATION naming the model and
both fields (in Python and through GraphQL) and changes nothing, and an older database
whose accounts repeat a code is refused by the upgrade, naming them, until they are fixed."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from modelry import UniqueViolation, directives
from modelry.boot import App, BootRefused, boot
from modelry.modules.account import codes as C
from modelry.modules.account.functions import balance, submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from tests.conftest import drop_everything
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart, make_chart
from tests.modules.account.stored import request

CONSTRAINT = "uq_account_account_ledger_id_code"


def test_the_table_holds_the_constraint(ledger_app: App) -> None:
    unique = sa.inspect(ledger_app.engine).get_unique_constraints("account_account")
    assert [(u["name"], u["column_names"]) for u in unique] == \
        [(CONSTRAINT, ["ledger_id", "code"])]


def test_a_code_is_unique_in_its_ledger_only(ledger_app: App, chart: Chart) -> None:
    with ledger_app.transaction():
        usd = Ledger(code="USD", name="Dollars", currency="USD").create()
        twin = Account(ledger=usd.id, code="alice", kind=AccountKind.CUSTOMER_CASH).create()
    with pytest.raises(UniqueViolation) as caught, ledger_app.transaction():
        Account(ledger=chart.ledger.id, code="alice", kind=AccountKind.MERCHANT).create()
    error = caught.value
    assert (error.code, error.model, error.fields) == \
        ("UNIQUE_VIOLATION", "account.Account", ("ledger", "code"))
    assert error.message == (f"account.Account (ledger, code): the values "
                             f"({chart.ledger.id}, 'alice') are already used together")
    with ledger_app.transaction():   # the refused account changed nothing; money still moves
        assert Account.count(code="alice") == 2
        assert [r.code for r in submit([request(chart, "r1", chart.bank, chart.alice, 500),
                                        request(chart, "r2", chart.bank, twin, 500)])] == \
            [C.OK, C.ACCOUNTS_MUST_HAVE_SAME_LEDGER]
        assert balance(chart.alice.id).posted == 500


def test_a_graphql_create_of_a_used_code_is_refused(ledger_app: App, chart: Chart) -> None:
    answer = Client(ledger_app).gql(
        'mutation($l: Long) { accountMutation { create(data: {ledgerId: $l, code: "bob", '
        'kind: MERCHANT}) { id } } }', {"l": str(chart.ledger.id)})
    assert answer.error["extensions"]["code"] == "UNIQUE_VIOLATION"
    assert answer.error["message"] == (f"account.Account (ledger, code): the values "
                                       f"({chart.ledger.id}, 'bob') are already used together")
    with ledger_app.transaction():
        assert Account.count(code="bob") == 1


def test_an_upgrade_over_repeated_codes_is_refused_until_they_are_fixed(
        make_app: Callable[..., App], database_url: str) -> None:
    """A database from before the constraint: the account table without it (dropped by
    hand, as alembic's batch mode does on SQLite), two accounts sharing a code."""
    app = make_app(["account"])
    with app.activate(), directives.backend_scope():
        chart = make_chart(app)
    with app.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        with Operations(MigrationContext.configure(connection)).batch_alter_table(
                "account_account") as batch:
            batch.drop_constraint(CONSTRAINT, type_="unique")
        accounts = app.metadata.tables["account_account"]
        shop = connection.execute(sa.select(accounts).where(
            accounts.c.id == chart.shop.id)).one()._asdict()
        copy = {name: value for name, value in shop.items() if name != "id"}
        connection.execute(accounts.insert().values({**copy, "owner": "copy"}))
    app.close()
    try:
        with pytest.raises(BootRefused) as refused:
            boot(database=database_url, modules=["account"], lifecycle="install",
                 options={"init_data": False})
        assert refused.value.reasons == [
            f"account.Account (ledger, code): existing rows break the unique constraint the "
            f"code adds: 2 rows share ledger={chart.ledger.id}, code='shop'; change or "
            "remove them, then boot again"]
        with app.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE account_account SET code = 'shop-2' "
                                       "WHERE owner = 'copy'")
        fixed = boot(database=database_url, modules=["account"], lifecycle="install",
                     options={"init_data": False})
        assert fixed.report.schema_steps == [f"add unique account_account ({CONSTRAINT})"]
        with fixed.activate(), directives.backend_scope(), fixed.transaction():
            results = submit([request(chart, "r1", chart.bank, chart.shop, 700)])
            assert [r.code for r in results] == [C.OK]
        fixed.close()
    finally:
        drop_everything(database_url)   # the next test installs a clean schema
