"""`fields.Secret` (here channel.MerchantKey.secret and channel.Supplier.secret): sealed in
the database, opened for back-end reads, never read by clients; a value stored in plain
text before is read as it is; another deployment key cannot open it (a clear code)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from modelry import ModelryError, directives
from modelry.boot import App
from modelry.core import sealing
from modelry.modules.channel.merchants import Merchant, MerchantKey
from tests.functions.helpers import Client


def _stored(app: App, model: str, column: str) -> list[str]:
    table = app.data.table(app.registry.model(model))
    with app.engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.select(table.c[column]))]


def test_a_secret_is_sealed_at_rest_and_opened_for_back_end_code(make_app) -> None:
    app = make_app(["channel"])
    with app.activate(), directives.backend_scope(), app.transaction():
        shop = Merchant(code="s", name="S", account="a").create()
        key = MerchantKey(merchant=shop.id, key_id="mk_1", secret="top secret").create()
        MerchantKey.insert_bulk([{"merchant": shop.id, "key_id": "mk_2", "secret": "bulk"}])
        MerchantKey.update_where({"key_id": "mk_2"}, secret="changed")
    stored = _stored(app, "channel.MerchantKey", "secret")
    assert all(value.startswith(sealing.PREFIX) for value in stored)
    assert not any("secret" in value or "changed" in value for value in stored)
    with app.activate():
        assert MerchantKey.query_by_id(key.id).secret == "top secret"
        assert MerchantKey.query_one(key_id="mk_2").secret == "changed"
    read = Client(app).gql('{ merchantKeyQuery { queryPage { content { keyId } } } }').ok()
    assert len(read["merchantKeyQuery"]["queryPage"]["content"]) == 2
    refused = Client(app).gql('{ merchantKeyQuery { queryPage { content { secret } } } }')
    assert refused.data is None                       # write-only: not in the read type


def test_plain_text_from_before_reads_and_another_key_is_refused(
        make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(["channel"])
    with app.activate(), directives.backend_scope(), app.transaction():
        shop = Merchant(code="s", name="S", account="a").create()
        MerchantKey(merchant=shop.id, key_id="mk_1", secret="x").create()
    table = app.data.table(app.registry.model("channel.MerchantKey"))
    with app.engine.begin() as connection:
        connection.execute(sa.update(table).values(secret="legacy plain"))
    with app.activate():
        assert MerchantKey.query_one(key_id="mk_1").secret == "legacy plain"
        with app.transaction():
            MerchantKey.update_where({"key_id": "mk_1"}, secret="now sealed")
        monkeypatch.setenv(sealing.KEY_VARIABLE, "another deployment's key")
        with pytest.raises(ModelryError) as refused:
            MerchantKey.query_one(key_id="mk_1")
    assert refused.value.code == "SECRET_UNREADABLE"
