"""Every model of the demo and account modules opens its create form, and the edit form of
its first record, whatever its field types; each record takes its own form back unchanged
(every value survives its widget's round trip), unless a hook refuses any update. The
account module's functions run from an account (beside: one schema, one install)."""
from __future__ import annotations

import re
from collections.abc import Callable

from modelry import directives
from modelry.boot import App
from tests.admin.conftest import every_model_client
from tests.admin.form_pages import form_values


def test_every_model_opens_its_forms(make_app: Callable[..., App]) -> None:
    """Each menu entry's new form and first record's edit form answer 200 with a label for
    every input; posting the edit form unchanged saves the record, or shows the refusal of
    the ledger's hook above the form."""
    client, menu = every_model_client(make_app)
    edited, saved = 0, []
    for code in menu:
        blank = client.text(f"/admin/m/{code}/new")
        assert '<form class="edit"' in blank, code
        first = re.search(rf'<td><a href="/admin/m/{re.escape(code)}/(\d+)">',
                          client.text(f"/admin/m/{code}"))
        if not first:
            continue
        url = f"/admin/m/{code}/{first.group(1)}/edit"
        page = client.text(url)
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
        assert all(f'<label for="{i}">' in page for i in ids), code
        edited += 1
        answer = client.post(url, data=form_values(page), follow_redirects=False)
        saved.append((code, answer.status_code,
                      re.findall(r'class="error[^>]*>([^<]*)', answer.text)))
    ledger_only = {"account.Entry", "account.Transfer"}  # their hooks refuse any update
    for code, status, errors in saved:
        if code in ledger_only:
            assert status == 422 and errors == [
                f"{code}: records are written by the ledger only (a correction is a new "
                "transfer); update is refused"], (code, errors)
        else:
            assert status == 303, (code, errors)
    assert edited >= 15 and {"demo.PetShop", "account.Account"} <= {c for c, *_ in saved}


def test_the_account_module_s_functions_run_from_an_account(
        make_app: Callable[..., App]) -> None:
    """An account offers `balance` and `statement` with the account's id filled in; the
    balance (a transient record) is shown field by field, as the ledger computes it."""
    client, _ = every_model_client(make_app)
    page = client.text("/admin/m/account.Account")
    identifier = re.search(r'<td><a href="/admin/m/account.Account/(\d+)">', page).group(1)
    url = f"/admin/m/account.Account/{identifier}"
    offered = re.findall(r'href="[^"]*/call/(\w+)"', client.text(url))
    assert {"balance", "statement"} <= set(offered)
    form = client.text(f"{url}/call/balance")
    assert re.search(rf'<input type="number" id="a-account" name="account" required '
                     rf'value="{identifier}"', form)
    shown = client.post(f"{url}/call/balance", data={"csrf": form_values(form)["csrf"],
                                                     "account": identifier})
    assert shown.status_code == 200
    rows = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>([^<]*)</dd>", shown.text))
    with directives.scope(), client.served.transaction(readonly=True):
        account = client.served.data.query_by_id("account.Account", int(identifier))
    assert rows["Account"] == identifier
    assert rows["Posted"] == str(account.credits_posted - account.debits_posted)
    missing = client.post(f"{url}/call/balance", data={"csrf": form_values(form)["csrf"],
                                                       "account": "999999"})
    assert missing.status_code == 422
    assert "account.Account: no account with id 999999" in missing.text
