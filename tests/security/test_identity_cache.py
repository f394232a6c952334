"""The identity of a bearer token, cached per token on each database: an authenticated read
sends no more SQL than an anonymous one; logout, revocation, a user's roles, rights,
password or active flag take effect at once on the instance that wrote them, and on
another instance within the cache's documented age (identity_cache.MAX_AGE)."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest

from modelry.boot import App, boot
from modelry.cli_user import set_password
from modelry.core.security import identity_cache, tokens
from modelry.core.security.grants import grant_module
from modelry.core.security.identity_cache import IdentityCache, use_identity_cache
from modelry.core.security.tokens import Unauthenticated
from tests.graphql.conftest import load_sample
from tests.security.conftest import AuthServer, make_role, make_user
from tests.sql_capture import statements

SHOP = "{ petShopQuery { queryOne(query: {id: \"%s\"}) { id name income owner { id name } } } }"
ITEMS = ("{ petItemQuery { queryPage(page: {currentPage: 1, size: 100}) "
         "{ content { id itemName price stock shop { id name } } } } }")
LOGOUT = "mutation { authMutation { logout } }"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    """`app`'s identity cache, on a clock that moves only when told."""
    moved = Clock()
    use_identity_cache(app, IdentityCache(clock=moved))
    return moved


def sales_user(app: App, login: str = "ann") -> tuple[int, str]:
    """A user holding role `sales`, which may use the demo module; its id and a token."""
    sales = make_role(app, "sales")
    grant_module(app, "demo", role="sales")
    user = make_user(app, login, roles=(sales,))
    return user, tokens.issue(app, user)[0]


def counted(app: App, call: Callable[[], object]) -> int:
    """How many statements `call` sends."""
    with statements(app.engine) as seen:
        call()
    return len(seen)


def fewest(server: AuthServer, token: str | None, query: str) -> int:
    """The statements of the cheaper of two requests in a row (the rights cache may reload
    within either: of two requests at most one does)."""
    engine = server.uvicorn.config.app.state.executor.app.engine
    counts = []
    for _ in range(2):
        with statements(engine) as seen:
            server.gql_as(token, query).ok()
        counts.append(len(seen))
    return min(counts)


@pytest.mark.parametrize("query", ["shop", "items"])
def test_an_authenticated_read_sends_as_many_statements_as_an_anonymous_one(
        app: App, serve: Callable[[App], AuthServer], query: str) -> None:
    load_sample(app)
    with app.transaction():
        shop = app.data.query_list("demo.PetShop", sort="id")[0].id
    document = SHOP % shop if query == "shop" else ITEMS
    _, token = sales_user(app)
    admin = tokens.issue(app, make_user(app, "root", admin=True))[0]
    server = serve(app)
    engine = app.engine
    with statements(engine) as cold:
        server.gql_as(token, document).ok()
    anonymous = fewest(server, None, document)
    assert fewest(server, token, document) == anonymous
    assert fewest(server, admin, document) == anonymous
    assert len(cold) > anonymous  # the first request read the token, user and roles
    assert server.gql_as(token, document).ok() == server.gql_as(None, document).ok()


def test_logout_refuses_the_token_at_once(app: App, serve: Callable[[App], AuthServer]) -> None:
    user, token = sales_user(app)
    other, _ = tokens.issue(app, user)
    server = serve(app)
    server.gql_as(token, ITEMS).ok()
    server.gql_as(other, ITEMS).ok()
    assert server.gql_as(token, LOGOUT).ok() == {"authMutation": {"logout": True}}
    refused = server.gql_as(token, ITEMS)
    assert refused.status == 401 and refused.codes == ["UNAUTHENTICATED"]
    server.gql_as(other, ITEMS).ok()  # the user's other session lives on


def test_revocation_by_any_write_of_the_token_takes_effect_at_once(app: App) -> None:
    _, token = sales_user(app)
    tokens.resolve(app, token)
    with app.transaction():  # an admin revoking a session through the data manager
        row = app.data.query_one("base.AuthToken", filters={"token_hash": tokens.token_hash(token)})
        row.revoked = True
        app.data.update_by_id(row)
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)


def test_a_removed_role_takes_effect_at_once(app: App,
                                             serve: Callable[[App], AuthServer]) -> None:
    user, token = sales_user(app)
    server = serve(app)
    server.gql_as(token, ITEMS).ok()
    with app.transaction():
        record = app.data.query_by_id("base.User", user)
        record.roles = []
        app.data.update_by_id(record)
    assert tokens.resolve(app, token).roles == frozenset({"user"})
    assert server.gql_as(token, ITEMS).codes == ["ACCESS_DENIED"]


def test_changed_rights_take_effect_at_once(app: App,
                                            serve: Callable[[App], AuthServer]) -> None:
    _, token = sales_user(app)
    server = serve(app)
    server.gql_as(token, ITEMS).ok()
    with app.transaction():
        sales = app.data.query_one("base.Role", filters={"code": "sales"})
        granted = app.data.query_list("base.ModelAccess",
                                      filters={"role_id": sales.id, "model": "demo.PetItem"})
        app.data.delete_batch("base.ModelAccess", granted)
    assert server.gql_as(token, ITEMS).codes == ["ACCESS_DENIED"]


def test_a_password_change_refuses_the_users_tokens_at_once(app: App) -> None:
    _, token = sales_user(app)
    _, bob = sales_user(app, "bob")
    tokens.resolve(app, token), tokens.resolve(app, bob)
    with app.transaction():
        assert set_password(app, "ann", "n3w secret") == 1
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)
    assert tokens.resolve(app, bob).login == "bob"


def test_a_deactivated_user_or_new_admin_flag_takes_effect_at_once(app: App) -> None:
    user, token = sales_user(app)
    assert tokens.resolve(app, token).is_admin is False
    for change in ({"is_admin": True}, {"active": False}):
        with app.transaction():
            record = app.data.query_by_id("base.User", user)
            for name, value in change.items():
                setattr(record, name, value)
            app.data.update_by_id(record)
        if change.get("active") is False:
            with pytest.raises(Unauthenticated):
                tokens.resolve(app, token)
        else:
            assert tokens.resolve(app, token).is_admin is True


def test_a_warm_token_costs_no_statement(app: App, clock: Clock) -> None:
    _, token = sales_user(app)
    assert counted(app, lambda: tokens.resolve(app, token)) > 0
    assert counted(app, lambda: tokens.resolve(app, token)) == 0


def test_an_entry_older_than_its_age_is_read_again(app: App, clock: Clock) -> None:
    _, token = sales_user(app)
    tokens.resolve(app, token)
    clock.now += identity_cache.MAX_AGE - 0.01
    assert counted(app, lambda: tokens.resolve(app, token)) == 0
    clock.now += 0.01
    assert counted(app, lambda: tokens.resolve(app, token)) > 0
    assert counted(app, lambda: tokens.resolve(app, token)) == 0


def test_a_cached_token_still_expires_on_time(app: App, clock: Clock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(app, "ann")
    token, expires_at = tokens.issue(app, user, ttl=dt.timedelta(minutes=5))
    tokens.resolve(app, token)
    monkeypatch.setattr(tokens, "utc_now", lambda: expires_at)
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)


def test_the_cache_is_bounded_and_drops_the_least_recently_used(app: App) -> None:
    use_identity_cache(app, IdentityCache(capacity=2))
    first, second, third = (tokens.issue(app, make_user(app, login))[0]
                            for login in ("ann", "bob", "cy"))
    for token in (first, second, first, third):  # second is now the least recently used
        tokens.resolve(app, token)
    assert len(app.identity_cache) == 2
    assert counted(app, lambda: tokens.resolve(app, first)) == 0
    assert counted(app, lambda: tokens.resolve(app, second)) > 0


def test_reads_inside_a_transaction_or_overtaken_by_a_write_are_not_kept(app: App) -> None:
    _, token = sales_user(app)
    with app.transaction():  # its rows may be uncommitted: never cached
        tokens.resolve(app, token)
    assert len(identity_cache.identity_cache(app)) == 0
    cache = identity_cache.identity_cache(app)
    begun = cache.ticket()
    cache.written("base.User")  # a write lands while a read is under way
    identity = tokens.resolve(app, token)
    assert cache.put(tokens.token_hash(token), identity, dt.datetime.max, begun) is False
    assert len(cache) == 1  # the read begun after the write was kept


def test_a_write_forgets_again_when_it_commits(app: App) -> None:
    _, token = sales_user(app)
    identity = tokens.resolve(app, token)
    cache = identity_cache.identity_cache(app)
    kept: list[bool] = []

    def read_elsewhere() -> None:  # another request's read, between the write and its commit
        kept.append(cache.put("meanwhile", identity, dt.datetime.max, cache.ticket()))

    with app.transaction():
        make_role(app, "stock")  # a write of base.Role: forgets now, and at commit
        elsewhere = threading.Thread(target=read_elsewhere)
        elsewhere.start()
        elsewhere.join()
        assert kept == [True] and cache.get("meanwhile") is not None
    assert cache.get("meanwhile") is None


# ── two instances on one database ────────────────────────────────────────────
@pytest.fixture
def other_instance(app: App, database_url: str) -> Iterator[tuple[App, Clock]]:
    """A second app on `app`'s database, its identity cache on a hand-moved clock."""
    other = boot(database=database_url, modules=["demo"], lifecycle="reload",
                 options={"module_online": "never"})
    moved = Clock()
    use_identity_cache(other, IdentityCache(clock=moved))
    yield other, moved
    other.close()


def test_another_instance_sees_a_logout_within_the_cache_age(
        app: App, other_instance: tuple[App, Clock]) -> None:
    other, clock = other_instance
    _, token = sales_user(app)
    assert tokens.resolve(other, token).login == "ann"
    assert tokens.revoke(app, token) is True
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)  # the writing instance: at once
    clock.now += identity_cache.MAX_AGE - 0.01
    assert tokens.resolve(other, token).login == "ann"  # the documented bound, not more
    clock.now += 0.01
    with pytest.raises(Unauthenticated):
        tokens.resolve(other, token)


def test_another_instance_sees_a_role_change_within_the_cache_age(
        app: App, other_instance: tuple[App, Clock]) -> None:
    other, clock = other_instance
    user, token = sales_user(app)
    assert "sales" in tokens.resolve(other, token).roles
    with app.transaction():
        record = app.data.query_by_id("base.User", user)
        record.roles = []
        app.data.update_by_id(record)
    assert "sales" in tokens.resolve(other, token).roles
    clock.now += identity_cache.MAX_AGE
    assert tokens.resolve(other, token).roles == frozenset({"user"})
