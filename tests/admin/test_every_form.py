"""Every model of the demo and account modules opens its create form, and the edit form of
its first record, whatever its field types; each record takes its own form back unchanged
(every value survives its widget's round trip), unless a hook refuses any update."""
from __future__ import annotations

import re
from collections.abc import Callable

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
