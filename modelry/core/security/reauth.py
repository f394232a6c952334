"""Re-authentication: a signed-in user confirms a sensitive act (marking an order paid by
hand, say) by typing their password again.

Failures are throttled per user id, in memory, per instance (as logins are, see
`throttle`), so a stolen session cannot be used to guess the password.
"""
from __future__ import annotations

from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.security.passwords import dummy_verify, verify_password
from modelry.core.security.throttle import LoginThrottle
from modelry.errors import ModelryError

USER = "base.User"
_THROTTLE = LoginThrottle()


class PasswordNotConfirmed(ModelryError):
    """The password given to confirm an act is not the acting user's (or no user acts)."""

    code = "PASSWORD_NOT_CONFIRMED"


def confirm_password(password: str, user_id: Any = None) -> int:
    """The id of active user `user_id` (default: the current user) once `password` is
    theirs; PasswordNotConfirmed otherwise, LoginThrottled after 5 failures in a minute."""
    user_id = context.current_user_id() if user_id is None else user_id
    name = f"#{user_id}"
    _THROTTLE.check(name)
    user = None
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        with directives.scope():
            user = context.gateway(USER).query_one(USER, filters={"id": user_id})
    if user is None:
        dummy_verify(password)       # as long as a real check: ids cannot be probed
    if user is None or not user.active or not verify_password(password, user.password):
        _THROTTLE.failed(name)
        raise PasswordNotConfirmed("the password does not confirm the acting user "
                                   "(give the password of the user you are signed in as)",
                                   model=USER, field="password")
    _THROTTLE.succeeded(name)
    return int(user.id)
