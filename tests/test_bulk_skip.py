"""`insert_bulk(rows, skip_existing=<a unique set>)`: rows whose key is stored, committed
meanwhile by another transaction, or earlier in the batch are skipped (their id None), on
every database, without a read first; anything else still refused."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry import DataError, Model, Module, NotNullViolation, UniqueViolation, directives
from modelry import fields
from modelry.boot import App
from tests.threads import THREADS, run_threads

skiptest = Module("skiptest", display_name="Bulk inserts skipping stored keys")
KEY = ("source", "number")


class Delivery(Model, model="skiptest.Delivery", unique=[("source", "number")]):
    """A message delivered at least once, stored once per (source, number)."""

    source = fields.String(size=16, required=True)
    number = fields.Integer()
    body = fields.String(size=8)
    label = fields.String(size=16, unique=True)


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    booted = make_app([skiptest], pool_size=THREADS + 2)
    with booted.activate(), directives.backend_scope():
        yield booted


def row(number: int | None, source: str = "a", body: str = "x", **more: Any) -> dict[str, Any]:
    return {"source": source, "number": number, "body": body, **more}


def stored() -> dict[tuple[str, int | None], str]:
    return {(d.source, d.number): d.body for d in Delivery.query_list(sort="id")}


def test_stored_keys_and_repeats_in_the_batch_are_skipped(app: App) -> None:
    with app.transaction():
        first = Delivery.insert_bulk([row(1), row(2)], returning_ids=True, skip_existing=KEY)
    with app.transaction():
        second = Delivery.insert_bulk(
            [row(2, body="new"), row(3), row(3, body="again"), row(1), row(4)],
            returning_ids=True, skip_existing=("number", "source"))   # any order of the set
    assert None not in first
    assert second[0] is None and second[2] is None and second[3] is None
    assert second[1] is not None and second[4] is not None and second[1] != second[4]
    assert stored() == {("a", 1): "x", ("a", 2): "x", ("a", 3): "x", ("a", 4): "x"}
    assert {d.id for d in Delivery.query_list()} == {*first, second[1], second[4]}
    with app.transaction():   # without returning_ids: the count inserted
        assert Delivery.insert_bulk([row(4), row(5)], skip_existing=KEY) == 1


def test_a_key_holding_null_never_clashes(app: App) -> None:
    with app.transaction():
        ids = Delivery.insert_bulk([row(None), row(None)], returning_ids=True,
                                   skip_existing=KEY)
    assert None not in ids and len(set(ids)) == 2
    assert Delivery.count(number__isnull=True) == 2


def test_a_clash_on_another_unique_field_still_raises(app: App) -> None:
    with app.transaction():
        Delivery.insert_bulk([row(1, label="L")], skip_existing=KEY)
    with pytest.raises(UniqueViolation) as raised, app.transaction():
        Delivery.insert_bulk([row(2, label="L")], skip_existing=KEY)
    assert raised.value.model == "skiptest.Delivery"
    assert stored() == {("a", 1): "x"}


def test_bad_values_are_refused_and_nothing_is_kept(app: App, backend: str) -> None:
    with pytest.raises(NotNullViolation), app.transaction():
        Delivery.insert_bulk([row(1), {"number": 2, "body": "y"}], skip_existing=KEY)
    if backend != "sqlite":   # SQLite keeps a text longer than its declared size
        with pytest.raises(DataError) as raised, app.transaction():
            Delivery.insert_bulk([row(1), row(2, body="far too long")], skip_existing=KEY)
        assert "skiptest" in str(raised.value) or "delivery" in str(raised.value).lower()
    assert Delivery.count() == 0


def test_refusals_name_the_model(app: App) -> None:
    with pytest.raises(DataError) as raised:
        Delivery.insert_bulk([row(1)], skip_existing=("source", "body"))
    assert raised.value.code == "BAD_SKIP_SET" and raised.value.model == "skiptest.Delivery"
    with pytest.raises(DataError) as raised, app.transaction():
        Delivery.insert_bulk([row(1, id=50)], skip_existing=KEY)
    assert raised.value.code == "BAD_ROW"
    with app.transaction():   # a unique field alone is a unique set too
        assert Delivery.insert_bulk([row(1, label="L"), row(2, label="L")],
                                    returning_ids=True, skip_existing=("label",))[1] is None


def test_concurrent_batches_store_each_key_once(app: App) -> None:
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> list[tuple[int, int | None]]:
        numbers = [(thread * 7 + n) % 40 for n in range(20)]   # overlapping keys
        with app.activate(), directives.backend_scope():
            barrier.wait()
            with app.transaction():
                ids = Delivery.insert_bulk([row(n, body=str(thread)) for n in numbers],
                                           returning_ids=True, skip_existing=KEY)
        return list(zip(numbers, ids))

    results = [pair for pairs in run_threads(THREADS, work) for pair in pairs]
    winners = [(n, key) for n, key in results if key is not None]
    by_number = {d.number: d.id for d in Delivery.query_list()}
    assert sorted(n for n, _ in winners) == sorted(by_number)   # each key inserted once
    assert all(by_number[n] == key for n, key in winners)
    assert {n for n, _ in results} == set(by_number)
