"""Signing in and out of the admin: the API's tokens, throttle and revocation, behind
cookies and CSRF-checked forms."""
from __future__ import annotations

from modelry.core.graphql.http.asgi import build_asgi
from modelry.core.security.throttle import MAX_FAILURES
from tests.admin.conftest import AdminClient, Site

LOGIN = 'mutation { authMutation { login(login: "root", password: "secret") { token } } }'


def test_pages_need_a_signed_in_caller(site: Site) -> None:
    """Without a session every screen redirects to the login page, which then returns to
    the page asked for."""
    client = site.client()
    for url in ("/admin", "/admin/m/demo.PetShop?sort=-name", "/admin/m/demo.PetShop/1"):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"].startswith("/admin/login?next=%2Fadmin"), url
    swapping = client.get("/admin/m/demo.PetShop?page=2", headers={"HX-Request": "true"})
    assert swapping.status_code == 401  # htmx loads the login page instead of swapping it in
    assert swapping.headers["hx-redirect"] == "/admin/login?next=%2Fadmin%2Fm%2Fdemo.PetShop" \
        "%3Fpage%3D2"
    signed = client.login("root", next="/admin/m/demo.PetShop?sort=-name")
    assert (signed.status_code, signed.headers["location"]) == (
        303, "/admin/m/demo.PetShop?sort=-name")
    assert "Pet shop 9" in client.text("/admin/m/demo.PetShop?sort=-name")


def test_session_cookie_carries_an_api_token(site: Site) -> None:
    """The session cookie is HttpOnly, SameSite=Lax, for /admin only, and holds a bearer
    token the API accepts; logging out revokes it for both."""
    client = site.client()
    cookie = client.login("root").headers.get_list("set-cookie")[0]
    assert cookie.startswith("modelry_admin=")
    assert {"HttpOnly", "Path=/admin", "SameSite=lax"} <= {p.strip() for p in cookie.split(";")}
    token = client.cookies["modelry_admin"]
    query = {"query": "{ userQuery { queryPage { content { login } } } }"}
    bearer = {"authorization": f"Bearer {token}"}
    assert client.post("/graphql", json=query, headers=bearer).json()["data"] is not None

    out = client.post("/admin/logout", data={"csrf": client.cookies["modelry_admin_csrf"]},
                      follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/admin/login")
    assert client.post("/graphql", json=query, headers=bearer).status_code == 401
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_then_throttled_as_in_the_api(site: Site) -> None:
    """A wrong password shows the API's message; after the API's number of failures the
    login is throttled, for the admin and the GraphQL login alike."""
    client = site.client()
    for _ in range(MAX_FAILURES):
        wrong = client.login("root", "nope")
        assert wrong.status_code == 401 and "wrong login or password" in wrong.text
        assert "modelry_admin=" not in wrong.headers.get("set-cookie", "")
    throttled = client.login("root")
    assert throttled.status_code == 429 and "too many failed logins" in throttled.text
    api = client.post("/graphql", json={"query": LOGIN}).json()
    assert api["errors"][0]["extensions"]["code"] == "LOGIN_THROTTLED"


def test_forged_forms_are_refused_and_change_nothing(site: Site) -> None:
    """A login or logout without the CSRF token, with another token, or from another site
    is refused with 403: no token issued, none revoked."""
    client = site.client()
    tokens_before = site.count("base.AuthToken")
    csrf = client.csrf()
    forged = [({"login": "root", "password": "secret"}, {}),
              ({"csrf": "x" * 43, "login": "root", "password": "secret"}, {}),
              ({"csrf": csrf, "login": "root", "password": "secret"},
               {"origin": "http://evil.example"})]
    for data, headers in forged:
        answer = client.post("/admin/login", data=data, headers=headers, follow_redirects=False)
        assert answer.status_code == 403, data
        assert "nothing was changed" in answer.text
        assert "modelry_admin" not in client.cookies
    assert site.count("base.AuthToken") == tokens_before

    assert client.login("root").status_code == 303
    refused = client.post("/admin/logout", data={"next": ""}, follow_redirects=False)
    assert refused.status_code == 403
    assert site.count("base.AuthToken") == tokens_before + 1
    assert client.get("/admin", follow_redirects=False).status_code == 200  # still signed in


def test_login_returns_only_inside_the_admin(site: Site) -> None:
    """A `next` outside the admin (another site, another path) goes to the admin's home."""
    for target in ("https://evil.example/admin", "//evil.example/admin", "/graphql"):
        answer = site.client().login("root", next=target)
        assert answer.headers["location"] == "/admin", target


def test_the_admin_can_be_left_out(site: Site) -> None:
    """With `server: {admin: false}` nothing answers under /admin; the API still does."""
    site.app.settings.server = {**(site.app.settings.server or {}), "admin": False}
    client = AdminClient(build_asgi(site.app), base_url="http://testserver")
    assert client.get("/admin/login").status_code == 404
    assert client.get("/health").status_code == 200
