"""Directive bits, defaults, scopes, the session switches, and isolation per thread/task."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import operator
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from modelry.directives import (
    BACKEND_DEFAULT,
    CLIENT_DEFAULT,
    Directive,
    backend_scope,
    client_scope,
    current,
    is_set,
    run,
    scope,
    session,
)
from modelry.directives.session import DirectiveSession
from modelry.directives.state import replace, reset

T = TypeVar("T")

ALL_BITS = functools.reduce(operator.or_, Directive, BACKEND_DEFAULT)

# Switches named after their bit: (enable, disable, query, bit).
PLAIN_SWITCHES = [
    ("enable_built_action", "disable_built_action", "is_built_action", Directive.BUILT_ACTION),
    ("enable_check", "disable_check", "is_check", Directive.CHECK),
    ("enable_default_value", "disable_default_value", "is_default_value", Directive.DEFAULT_VALUE),
    ("enable_ext_point", "disable_ext_point", "is_ext_point", Directive.EXT_POINT),
    ("enable_hook", "disable_hook", "is_hook", Directive.HOOK),
    ("enable_orm_column", "disable_orm_column", "is_orm_column", Directive.ORM_COLUMN),
    (
        "enable_use_pk_strategy",
        "disable_use_pk_strategy",
        "is_use_pk_strategy",
        Directive.USE_PK_STRATEGY,
    ),
    ("enable_from_client", "disable_from_client", "is_from_client", Directive.FROM_CLIENT),
    ("enable_sync", "disable_sync", "is_sync", Directive.SYNC),
    (
        "enable_ignore_fun_management",
        "disable_ignore_fun_management",
        "is_ignore_fun_management",
        Directive.IGNORE_FUN_MANAGEMENT,
    ),
]
# Inverse bits, named after what they mean: (turn on, turn off, query, bit, bit set when on).
INVERSE_SWITCHES = [
    (
        "enable_optimistic_locker",
        "disable_optimistic_locker",
        "is_optimistic_locker",
        Directive.UNLOCK,
        False,
    ),
    ("sudo", "disable_sudo", "is_sudo", Directive.AUTHENTICATE, False),
]


@pytest.fixture(autouse=True)
def _backend_state() -> Iterator[None]:
    """Start every test at the back-end default and undo any session change it makes."""
    token = replace(BACKEND_DEFAULT)
    yield
    reset(token)


def _in_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a new thread and return its result, re-raising its exception."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- bits and defaults -------------------------------------------------------------------


def test_bit_values_equal_oinone() -> None:
    assert {member.name: int(member) for member in Directive} == {
        "BUILT_ACTION": 1048576,
        "UNLOCK": 2097152,
        "CHECK": 4194304,
        "DEFAULT_VALUE": 8388608,
        "EXT_POINT": 16777216,
        "HOOK": 33554432,
        "AUTHENTICATE": 67108864,
        "ORM_COLUMN": 134217728,
        "USE_PK_STRATEGY": 268435456,
        "FROM_CLIENT": 536870912,
        "SYNC": 1073741824,
        "IGNORE_FUN_MANAGEMENT": 2147483648,
    }


def test_client_default_equals_oinone_init_value() -> None:
    # Oinone's SystemDirectiveEnum.INIT_VALUE
    assert int(CLIENT_DEFAULT) == 935329792
    assert set(CLIENT_DEFAULT) == {
        Directive.CHECK,
        Directive.DEFAULT_VALUE,
        Directive.EXT_POINT,
        Directive.HOOK,
        Directive.AUTHENTICATE,
        Directive.USE_PK_STRATEGY,
        Directive.FROM_CLIENT,
    }


def test_backend_default_is_empty() -> None:
    assert int(BACKEND_DEFAULT) == 0
    assert contextvars.Context().run(current) == BACKEND_DEFAULT


def test_bits_outside_oinone_positions_are_rejected() -> None:
    with pytest.raises(ValueError):
        Directive(1)
    with pytest.raises(ValueError), scope(Directive.CHECK, 1 << 19):  # type: ignore[arg-type]
        pass
    assert current() == BACKEND_DEFAULT


def test_client_scope_sets_client_default() -> None:
    with client_scope() as bits:
        assert bits == CLIENT_DEFAULT
        assert current() == CLIENT_DEFAULT
        assert session.directive().is_sudo() is False
        assert session.directive().is_optimistic_locker() is True
    assert current() == BACKEND_DEFAULT


def test_backend_scope_clears_every_bit() -> None:
    with scope(ALL_BITS):
        with backend_scope() as bits:
            assert bits == BACKEND_DEFAULT
            assert current() == BACKEND_DEFAULT
            assert session.directive().is_sudo() is True
            assert session.directive().is_optimistic_locker() is True
        assert current() == ALL_BITS


def test_is_set_requires_every_given_bit() -> None:
    with scope(Directive.CHECK):
        assert is_set(Directive.CHECK)
        assert not is_set(Directive.HOOK)
        assert not is_set(Directive.CHECK | Directive.HOOK)


# --- run and scope -----------------------------------------------------------------------


def test_run_replaces_the_whole_set_and_restores_it() -> None:
    with client_scope():
        seen = run(current, Directive.HOOK)
        assert seen == Directive.HOOK
        assert current() == CLIENT_DEFAULT


def test_run_without_bits_runs_with_none() -> None:
    with client_scope():
        assert run(current) == BACKEND_DEFAULT
        assert current() == CLIENT_DEFAULT


def test_run_combines_bits_and_passes_arguments() -> None:
    def call(a: int, b: int, *, c: int) -> tuple[Directive, int]:
        return current(), a + b + c

    result = run(
        call,
        Directive.CHECK,
        Directive.HOOK | Directive.SYNC,
        args=(1, 2),
        kwargs={"c": 3},
    )
    assert result == (Directive.CHECK | Directive.HOOK | Directive.SYNC, 6)
    assert current() == BACKEND_DEFAULT


def test_run_restores_the_set_when_fn_raises() -> None:
    def fail() -> None:
        assert current() == Directive.EXT_POINT
        raise RuntimeError("boom")

    with scope(Directive.CHECK):
        with pytest.raises(RuntimeError, match="boom"):
            run(fail, Directive.EXT_POINT)
        assert current() == Directive.CHECK


def test_run_undoes_session_changes_made_by_fn() -> None:
    def change() -> Directive:
        session.directive().sudo().disable_optimistic_locker().enable_hook()
        return current()

    with client_scope():
        inside = run(change, Directive.AUTHENTICATE)
        assert inside == Directive.UNLOCK | Directive.HOOK
        assert current() == CLIENT_DEFAULT


def test_nested_scopes_restore_each_level() -> None:
    with scope(Directive.CHECK) as outer:
        assert outer == Directive.CHECK
        with scope(Directive.HOOK, Directive.EXT_POINT) as inner:
            assert inner == Directive.HOOK | Directive.EXT_POINT
            assert current() == inner
            with backend_scope():
                assert current() == BACKEND_DEFAULT
            assert current() == inner
        assert current() == Directive.CHECK
    assert current() == BACKEND_DEFAULT


def test_nested_scope_restores_on_exception() -> None:
    with scope(Directive.CHECK):
        with pytest.raises(KeyError), scope(Directive.SYNC):
            raise KeyError("x")
        assert current() == Directive.CHECK
    assert current() == BACKEND_DEFAULT


def test_scope_undoes_session_changes_made_inside() -> None:
    with scope(Directive.CHECK):
        session.directive().disable_check().enable_hook()
        assert current() == Directive.HOOK
    assert current() == BACKEND_DEFAULT


# --- session switches --------------------------------------------------------------------


def test_switch_tables_cover_every_bit() -> None:
    covered = [row[3] for row in PLAIN_SWITCHES] + [row[3] for row in INVERSE_SWITCHES]
    assert sorted(covered) == sorted(Directive)


def test_session_directive_returns_a_directive_session() -> None:
    switches = session.directive()
    assert isinstance(switches, DirectiveSession)
    assert switches.enable_check() is switches


@pytest.mark.parametrize(
    ("enable", "disable", "query", "bit"), PLAIN_SWITCHES, ids=[r[3].name for r in PLAIN_SWITCHES]
)
def test_plain_switch(enable: str, disable: str, query: str, bit: Directive) -> None:
    switches = session.directive()
    assert getattr(switches, query)() is False

    assert getattr(switches, enable)() is switches
    assert current() == bit
    assert getattr(switches, query)() is True

    assert getattr(switches, disable)() is switches
    assert current() == BACKEND_DEFAULT
    assert getattr(switches, query)() is False


@pytest.mark.parametrize(
    ("enable", "disable", "query", "bit"), PLAIN_SWITCHES, ids=[r[3].name for r in PLAIN_SWITCHES]
)
def test_plain_switch_keeps_other_bits(
    enable: str, disable: str, query: str, bit: Directive
) -> None:
    others = ALL_BITS & ~bit
    with scope(others):
        getattr(session.directive(), enable)()
        assert current() == ALL_BITS
        getattr(session.directive(), disable)()
        assert current() == others
        assert getattr(session.directive(), query)() is False


@pytest.mark.parametrize(
    ("turn_on", "turn_off", "query", "bit", "bit_set_when_on"),
    INVERSE_SWITCHES,
    ids=[r[0] for r in INVERSE_SWITCHES],
)
def test_inverse_switch(
    turn_on: str, turn_off: str, query: str, bit: Directive, bit_set_when_on: bool
) -> None:
    others = ALL_BITS & ~bit
    with scope(others):
        switches = session.directive()
        assert getattr(switches, turn_off)() is switches
        assert is_set(bit) is not bit_set_when_on
        assert current() == ALL_BITS
        assert getattr(switches, query)() is False

        assert getattr(switches, turn_on)() is switches
        assert is_set(bit) is bit_set_when_on
        assert current() == others
        assert getattr(switches, query)() is True


def test_unlock_set_means_optimistic_lock_off() -> None:
    with scope(Directive.UNLOCK):
        assert session.directive().is_optimistic_locker() is False
    with scope():
        assert session.directive().is_optimistic_locker() is True
    session.directive().disable_optimistic_locker()
    assert current() == Directive.UNLOCK


def test_authenticate_cleared_means_sudo() -> None:
    with scope(Directive.AUTHENTICATE):
        assert session.directive().is_sudo() is False
        session.directive().sudo()
        assert current() == BACKEND_DEFAULT
        assert session.directive().is_sudo() is True
        session.directive().disable_sudo()
        assert current() == Directive.AUTHENTICATE


def test_generic_enable_and_disable() -> None:
    switches = session.directive()
    switches.enable(Directive.CHECK, Directive.HOOK).disable(Directive.CHECK)
    assert current() == Directive.HOOK


# --- isolation across threads ------------------------------------------------------------


def test_new_thread_starts_at_backend_default() -> None:
    with client_scope():
        assert _in_thread(current) == BACKEND_DEFAULT
        assert current() == CLIENT_DEFAULT


def test_change_in_thread_is_invisible_to_main_thread() -> None:
    def change() -> Directive:
        session.directive().enable_check().disable_optimistic_locker()
        return current()

    assert _in_thread(change) == Directive.CHECK | Directive.UNLOCK
    assert current() == BACKEND_DEFAULT


def test_concurrent_threads_see_only_their_own_bits() -> None:
    barrier = threading.Barrier(2, timeout=10)

    def worker(bit: Directive) -> list[Directive]:
        seen = []
        session.directive().enable(bit)
        for _ in range(3):
            barrier.wait()  # both threads have set their bit before either reads
            seen.append(current())
        return seen

    results: dict[str, list[Directive]] = {}
    threads = [
        threading.Thread(target=lambda b=bit: results.__setitem__(b.name, worker(b)))
        for bit in (Directive.CHECK, Directive.HOOK)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == {"CHECK": [Directive.CHECK] * 3, "HOOK": [Directive.HOOK] * 3}
    assert current() == BACKEND_DEFAULT


# --- isolation across asyncio tasks ------------------------------------------------------


def test_task_change_does_not_leak_into_parent_or_sibling() -> None:
    async def child() -> Directive:
        session.directive().enable_hook().sudo()
        await asyncio.sleep(0)
        return current()

    async def sibling(started: asyncio.Event) -> Directive:
        await started.wait()
        return current()

    async def main() -> tuple[Directive, Directive, Directive]:
        with client_scope():
            started = asyncio.Event()
            sibling_task = asyncio.create_task(sibling(started))
            child_task = asyncio.create_task(child())
            child_seen = await child_task
            started.set()
            return child_seen, await sibling_task, current()

    child_seen, sibling_seen, parent_seen = asyncio.run(main())
    assert child_seen == CLIENT_DEFAULT & ~Directive.AUTHENTICATE
    assert sibling_seen == CLIENT_DEFAULT
    assert parent_seen == CLIENT_DEFAULT


def test_task_copies_parent_set_at_creation() -> None:
    async def read_later(go: asyncio.Event) -> Directive:
        await go.wait()
        return current()

    async def main() -> tuple[Directive, Directive]:
        with scope(Directive.EXT_POINT):
            go = asyncio.Event()
            task = asyncio.create_task(read_later(go))
            # The parent changes its set after creating the task; the task keeps its copy.
            session.directive().disable_ext_point().enable_sync()
            go.set()
            return await task, current()

    task_seen, parent_seen = asyncio.run(main())
    assert task_seen == Directive.EXT_POINT
    assert parent_seen == Directive.SYNC


def test_interleaved_tasks_each_see_their_own_scope() -> None:
    log: list[tuple[str, Directive]] = []

    async def worker(name: str, bits: Directive) -> None:
        with scope(bits):
            for _ in range(5):
                log.append((name, current()))
                await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(
            worker("a", Directive.CHECK | Directive.HOOK),
            worker("b", Directive.UNLOCK),
            worker("c", BACKEND_DEFAULT),
        )

    asyncio.run(main())
    expected = {
        "a": Directive.CHECK | Directive.HOOK,
        "b": Directive.UNLOCK,
        "c": BACKEND_DEFAULT,
    }
    assert len(log) == 15
    assert all(seen == expected[name] for name, seen in log)
    # The tasks really interleaved: no task ran its five steps in one stretch.
    names = [name for name, _ in log]
    assert names[:6] == ["a", "b", "c", "a", "b", "c"]
    assert current() == BACKEND_DEFAULT
