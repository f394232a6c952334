"""Bearer tokens on each database: issue, resolve, expiry, revocation, identities, headers."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from modelry.boot import App
from modelry.core.security import passwords, tokens
from modelry.core.security.identity import ANONYMOUS, Identity
from modelry.core.security.throttle import LoginThrottled
from modelry.core.security.tokens import LoginFailed, Unauthenticated
from tests.security.conftest import make_role, make_user


def stored_tokens(app: App) -> list[dict]:
    with app.transaction():
        return [t.to_dict() for t in app.data.query_list("base.AuthToken", sort="id")]


def test_issue_stores_only_the_hash_with_the_expiry(app: App) -> None:
    user = make_user(app, "ann")
    before = tokens.utc_now()
    token, expires_at = tokens.issue(app, user, ttl=dt.timedelta(hours=2))
    assert len(token) >= 43 and token.replace("-", "").replace("_", "").isalnum()
    assert expires_at.tzinfo is None and expires_at.microsecond == 0
    assert dt.timedelta(hours=2) - dt.timedelta(seconds=2) <= expires_at - before \
        <= dt.timedelta(hours=2)
    [row] = stored_tokens(app)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["user_id"] == user and row["revoked"] is False
    assert row["expires_at"] == expires_at
    assert token not in {str(v) for v in row.values()}


def test_each_issue_is_a_new_token(app: App) -> None:
    user = make_user(app, "ann")
    first, _ = tokens.issue(app, user)
    second, _ = tokens.issue(app, user)
    assert first != second
    assert tokens.resolve(app, first).user_id == tokens.resolve(app, second).user_id == user


def test_resolve_gives_the_users_identity_with_role_codes(app: App) -> None:
    sales, stock = make_role(app, "sales"), make_role(app, "stock")
    user = make_user(app, "ann", roles=(sales, stock))
    token, _ = tokens.issue(app, user)
    identity = tokens.resolve(app, token)
    assert identity == Identity(user_id=user, login="ann",
                                roles=frozenset({"user", "sales", "stock"}), is_admin=False)
    assert not identity.anonymous


def test_a_user_without_roles_still_holds_the_user_role(app: App) -> None:
    token, _ = tokens.issue(app, make_user(app, "bob"))
    assert tokens.resolve(app, token).roles == frozenset({"user"})


def test_admins_are_flagged(app: App) -> None:
    token, _ = tokens.issue(app, make_user(app, "root", admin=True))
    identity = tokens.resolve(app, token)
    assert identity.is_admin is True and identity.login == "root"


def test_an_expired_token_is_refused(app: App) -> None:
    user = make_user(app, "ann")
    token, expires_at = tokens.issue(app, user, ttl=dt.timedelta(seconds=-1))
    assert expires_at <= tokens.utc_now()
    with pytest.raises(Unauthenticated) as refused:
        tokens.resolve(app, token)
    assert refused.value.code == "UNAUTHENTICATED"


def test_a_token_expires_when_its_time_is_up(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    token, expires_at = tokens.issue(app, make_user(app, "ann"), ttl=dt.timedelta(minutes=5))
    monkeypatch.setattr(tokens, "utc_now", lambda: expires_at - dt.timedelta(seconds=1))
    assert tokens.resolve(app, token).login == "ann"
    monkeypatch.setattr(tokens, "utc_now", lambda: expires_at)
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)


def test_revoked_tokens_are_refused_and_others_live_on(app: App) -> None:
    user = make_user(app, "ann")
    token, _ = tokens.issue(app, user)
    other, _ = tokens.issue(app, user)
    assert tokens.revoke(app, token) is True
    assert tokens.revoke(app, token) is False  # already revoked
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)
    assert tokens.resolve(app, other).user_id == user
    assert [row["revoked"] for row in stored_tokens(app)] == [True, False]


def test_revoking_an_unknown_token_changes_nothing(app: App) -> None:
    token, _ = tokens.issue(app, make_user(app, "ann"))
    assert tokens.revoke(app, "not-a-token") is False
    assert tokens.revoke(app, "") is False
    assert tokens.resolve(app, token).login == "ann"


def test_revoke_all_ends_every_session_of_one_user(app: App) -> None:
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    ann_tokens = [tokens.issue(app, ann)[0] for _ in range(3)]
    bob_token, _ = tokens.issue(app, bob)
    assert tokens.revoke_all(app, ann) == 3
    assert tokens.revoke_all(app, ann) == 0
    for token in ann_tokens:
        with pytest.raises(Unauthenticated):
            tokens.resolve(app, token)
    assert tokens.resolve(app, bob_token).login == "bob"


def test_tokens_of_inactive_or_deleted_users_are_refused(app: App) -> None:
    user = make_user(app, "ann")
    token, _ = tokens.issue(app, user)
    with app.transaction():
        record = app.data.query_by_id("base.User", user)
        record.active = False
        app.data.update_by_id(record)
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)
    with app.transaction():
        app.data.delete_batch("base.User", [user])
    assert stored_tokens(app) == []  # ON DELETE CASCADE
    with pytest.raises(Unauthenticated):
        tokens.resolve(app, token)


def test_unknown_expired_and_revoked_tokens_get_the_same_message(app: App) -> None:
    user = make_user(app, "ann")
    expired, _ = tokens.issue(app, user, ttl=dt.timedelta(seconds=-5))
    revoked, _ = tokens.issue(app, user)
    tokens.revoke(app, revoked)
    messages = set()
    for token in (expired, revoked, "unknown-token", ""):
        with pytest.raises(Unauthenticated) as refused:
            tokens.resolve(app, token)
        messages.add(refused.value.message)
    assert messages == {tokens.INVALID_TOKEN}


def test_login_issues_a_token_for_the_right_password(app: App) -> None:
    user = make_user(app, "ann", "s3cret!")
    token, expires_at = tokens.login(app, "ann", "s3cret!")
    assert tokens.resolve(app, token).user_id == user
    assert expires_at - tokens.utc_now() > dt.timedelta(hours=7, minutes=59)


@pytest.mark.parametrize("login, password", [
    ("ann", "hunter2"), ("ann", "S3CRET!"), ("nobody", "s3cret!"), ("", "s3cret!"),
    ("ann", ""), ("inactive", "s3cret!"), ("nopassword", "s3cret!")])
def test_a_failed_login_gives_one_generic_error(app: App, login: str, password: str) -> None:
    make_user(app, "ann", "s3cret!")
    make_user(app, "inactive", "s3cret!", active=False)
    make_user(app, "nopassword", None)
    with pytest.raises(LoginFailed) as failed:
        tokens.login(app, login, password)
    assert failed.value.code == "LOGIN_FAILED"
    assert failed.value.message == "wrong login or password"
    assert stored_tokens(app) == []


def test_an_unknown_login_still_checks_a_hash(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown logins and wrong passwords cost the same work: no probing logins by timing."""
    make_user(app, "ann", "s3cret!")
    compared: list[str] = []
    real = passwords.hmac.compare_digest
    monkeypatch.setattr(passwords.hmac, "compare_digest",
                        lambda a, b: compared.append("x") or real(a, b))
    for login in ("nobody", "ann"):
        with pytest.raises(LoginFailed):
            tokens.login(app, login, "wrong")
    assert compared == ["x", "x"]


def test_identity_for_reads_the_authorization_header(app: App) -> None:
    sales = make_role(app, "sales")
    token, _ = tokens.issue(app, make_user(app, "ann", roles=(sales,)))
    assert tokens.identity_for(app, None) is ANONYMOUS
    assert tokens.identity_for(app, "") is ANONYMOUS
    assert ANONYMOUS.anonymous and ANONYMOUS.roles == frozenset({"anonymous"})
    for header in (f"Bearer {token}", f"bearer {token}", f"  Bearer   {token}  "):
        identity = tokens.identity_for(app, header)
        assert identity.login == "ann" and identity.roles == frozenset({"user", "sales"})


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Basic YW5uOnNlY3JldA==", "Token abc", "Bearer a b", "Bearer unknown"])
def test_identity_for_refuses_bad_headers(app: App, header: str) -> None:
    make_user(app, "ann")
    with pytest.raises(Unauthenticated) as refused:
        tokens.identity_for(app, header)
    assert refused.value.code == "UNAUTHENTICATED"
    assert "YW5uOnNlY3JldA" not in refused.value.message


def test_bearer_token_parsing() -> None:
    assert tokens.bearer_token(None) is None
    assert tokens.bearer_token("   ") is None
    assert tokens.bearer_token("Bearer abc-_1") == "abc-_1"
    with pytest.raises(Unauthenticated):
        tokens.bearer_token("abc")


def test_each_login_clears_away_expired_tokens(app: App) -> None:
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    tokens.issue(app, ann, ttl=dt.timedelta(seconds=-5))
    live, _ = tokens.issue(app, bob, ttl=dt.timedelta(hours=1))
    assert len(stored_tokens(app)) == 1  # ann's expired token went with bob's login
    tokens.login(app, "ann", "secret")
    assert sorted(t["user_id"] for t in stored_tokens(app)) == [ann, bob]
    assert tokens.resolve(app, live).login == "bob"


def test_a_login_failing_again_and_again_is_throttled(app: App) -> None:
    make_user(app, "ann")
    make_user(app, "bob")
    for _ in range(5):
        with pytest.raises(LoginFailed):
            tokens.login(app, "ann", "guess")
    with pytest.raises(LoginThrottled) as refused:  # even the right password, for now
        tokens.login(app, "ann", "secret")
    assert refused.value.code == "LOGIN_THROTTLED" and "try again in" in refused.value.message
    tokens.login(app, "bob", "secret")  # other logins are not affected
    app.login_throttle.window = 0.0  # the window passed
    token, _ = tokens.login(app, "ann", "secret")
    assert tokens.resolve(app, token).login == "ann"


def test_a_successful_login_forgets_earlier_failures(app: App) -> None:
    make_user(app, "ann")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            tokens.login(app, "ann", "guess")
    tokens.login(app, "ann", "secret")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            tokens.login(app, "ann", "guess")
    tokens.login(app, "ann", "secret")
