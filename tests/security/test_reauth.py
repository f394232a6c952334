"""`modelry.confirm_password`: the acting user's password, checked again, on each database;
a wrong one, an inactive user or nobody acting is refused with a code; failures throttle."""
from __future__ import annotations

import pytest

from modelry import PasswordNotConfirmed, confirm_password
from modelry.boot import App
from modelry.core.context import reset_user_id, set_user_id
from modelry.core.security import reauth
from modelry.core.security.throttle import LoginThrottle, LoginThrottled
from tests.security.conftest import make_user


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reauth, "_THROTTLE", LoginThrottle())


def test_the_acting_users_password_confirms(app: App) -> None:
    ann = make_user(app, "ann", "s3cret!")
    token = set_user_id(ann)
    try:
        with app.transaction():
            assert confirm_password("s3cret!") == ann
            with pytest.raises(PasswordNotConfirmed) as refused:
                confirm_password("wrong")
    finally:
        reset_user_id(token)
    assert (refused.value.code, refused.value.model, refused.value.field) == \
        ("PASSWORD_NOT_CONFIRMED", "base.User", "password")
    assert "wrong" not in refused.value.message


@pytest.mark.parametrize("case", ["inactive", "nobody", "unknown", "no password"])
def test_refused_without_an_active_user_with_that_password(app: App, case: str) -> None:
    user = make_user(app, "bob", None if case == "no password" else "pw",
                     active=case != "inactive")
    acting = {"nobody": None, "unknown": user + 1000}.get(case, user)
    with app.transaction(), pytest.raises(PasswordNotConfirmed):
        confirm_password("pw", acting)


def test_five_failures_throttle_the_user(app: App) -> None:
    ann = make_user(app, "ann", "s3cret!")
    with app.transaction():
        for _ in range(5):
            with pytest.raises(PasswordNotConfirmed):
                confirm_password("guess", ann)
        with pytest.raises(LoginThrottled):
            confirm_password("s3cret!", ann)
