"""A write-only field (a user's password) is set on its own screen, never in the edit form
and never shown: asked twice, written through the update built-in (hashed), and only by a
caller who may update the record."""
from __future__ import annotations

import re

from tests.admin.conftest import Site
from tests.admin.form_pages import form_values


def test_a_password_is_set_on_its_own_screen(site: Site) -> None:
    """root sets the clerk's password: the edit form has no password input; two different
    values are refused with nothing changed; the same value twice is set, and the clerk
    signs in with it (not with the old one)."""
    root = site.client()
    root.login("root")
    user = f"/admin/m/base.User/{site.clerk_id}"
    detail = root.text(user)
    assert f'<a class="button" href="{user}/secret/password">Set password</a>' in detail
    assert 'name="password"' not in root.text(f"{user}/edit")
    screen = root.text(f"{user}/secret/password")
    assert '<label for="s-new">New password</label>' in screen
    assert '<input type="password" id="s-repeat" name="repeat" autocomplete="new-password"' \
        in screen
    form = form_values(screen)
    differ = root.post(f"{user}/secret/password", data={**form, "new": "one-Secret",
                                                        "repeat": "other-Secret"},
                       follow_redirects=False)
    assert differ.status_code == 422
    assert '<p class="error" id="s-repeat-error">the two values differ</p>' in differ.text
    assert "one-Secret" not in differ.text  # typed secrets are never sent back
    assert site.client().login("clerk").status_code == 303  # the old password still works

    done = root.post(f"{user}/secret/password", data={**form, "new": "n3w-Secret",
                                                      "repeat": "n3w-Secret"},
                     follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"{user}?done=secret")
    shown = root.text(done.headers["location"])
    assert "The new value is set (it is never shown)." in shown
    assert "n3w-Secret" not in shown and "scrypt" not in shown
    assert site.client().login("clerk").status_code == 401
    assert site.client().login("clerk", "n3w-Secret").status_code == 303
    forged = root.post(f"{user}/secret/password", data={**form, "new": "x", "repeat": "x",
                                                        "login": "boss"},
                       follow_redirects=False)
    assert forged.status_code == 400 and "sets 'password' only" in forged.text.replace(
        "&#39;", "'")
    assert root.get(f"{user}/secret/login").status_code == 404  # not write-only


def test_a_caller_who_may_not_update_gets_no_password_screen(site: Site) -> None:
    """The clerk may not read users at all: the screen is not found; no page it can open
    offers to set a password."""
    clerk = site.client()
    clerk.login("clerk")
    answer = clerk.get(f"/admin/m/base.User/{site.admin_id}/secret/password")
    assert answer.status_code == 404
    assert not re.search(r"/secret/", clerk.text("/admin/m/demo.PetShop"))


def test_a_new_user_s_password_is_a_password_input(site: Site) -> None:
    """The create form of a user asks for its password in a password input, never sent
    back when the form is refused; the user created signs in with it."""
    root = site.client()
    root.login("root")
    page = root.text("/admin/m/base.User/new")
    assert re.search(r'<input type="password" id="f-password" name="password"', page)
    form = {**form_values(page), "login": "", "name": "Dee", "password": "dee-Secret"}
    refused = root.post("/admin/m/base.User/new", data=form, follow_redirects=False)
    assert refused.status_code == 422 and "dee-Secret" not in refused.text
    created = root.post("/admin/m/base.User/new", data={**form, "login": "dee"},
                        follow_redirects=False)
    assert created.status_code == 303
    assert site.client().login("dee", "dee-Secret").status_code == 303
