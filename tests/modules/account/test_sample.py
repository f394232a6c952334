"""The demo's sample ledger: loaded once, every transfer applied, balances as designed."""
from __future__ import annotations

from modelry.boot import App
from modelry.modules.account.functions import balance
from modelry.modules.account.models import Account, Transfer
from modelry.modules.account.sample import load_sample_data
from tests.modules.account.stored import check_stored_invariants


def test_sample_ledger_loads_once_with_every_transfer_applied(ledger_app: App) -> None:
    with ledger_app.transaction():
        assert load_sample_data() == 7
    with ledger_app.transaction():
        assert load_sample_data() == 0
    by_code = {a.code: a.id for a in Account.query_list()}
    assert balance(by_code["ann"]).posted == 20_000 - 2_150
    assert balance(by_code["bob"]).posted == 5_000 - 1_212
    assert balance(by_code["ann-voucher"]).posted == 1_000
    assert balance(by_code["fees"]).posted == 12
    assert Transfer.count() == 7
    check_stored_invariants(ledger_app)
