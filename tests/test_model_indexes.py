"""Model-level indexes over several columns (`indexes=[("merchant", "finished_at")]`, here
channel.RechargeOrder's): created by INSTALL in order on every database, printed by the
DDL lifecycle, part of the schema fingerprint; bad declarations are refused naming the
model."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from modelry import DeclarationError, Model, fields
from modelry.boot import App, boot


def test_install_creates_the_declared_indexes(make_app) -> None:
    app: App = make_app(["channel"])
    with app.engine.connect() as connection:
        indexes = sa.inspect(connection).get_indexes("channel_recharge_order")
    columns = [index["column_names"] for index in indexes]
    assert ["merchant_id", "finished_at"] in columns
    assert ["merchant_id", "create_date"] in columns
    described = app.registry.model("channel.RechargeOrder").describe()
    assert described["indexes"] == [["merchant", "finished_at"], ["merchant", "create_date"]]


def test_the_ddl_script_creates_them(tmp_path) -> None:
    with boot(database=f"sqlite:///{tmp_path}/ddl.db", modules=["channel"],
              lifecycle="ddl") as ddl:
        script = ddl.report.ddl
    assert "CREATE INDEX ix_channel_recharge_order_merchant_id_finished_at ON " \
        "channel_recharge_order (merchant_id, finished_at)" in script


@pytest.mark.parametrize(("indexes", "words"), [
    ([("total",)], "two or more distinct field names"),
    ("total", "two or more distinct field names"),
    ([("total", "total")], "two or more distinct field names")])
def test_bad_index_declarations_are_refused(indexes: object, words: str) -> None:
    with pytest.raises(DeclarationError, match=words):
        class Odd(Model, model="oddities.Odd", indexes=indexes):
            total = fields.Integer()
