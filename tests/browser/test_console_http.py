"""The GraphiQL console over plain HTTP: a page whose every URL is on the server's origin, a
Content-Security-Policy, and vendored assets cached for a year under a versioned path."""
from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from modelry.core.graphql.http.asgi import build_asgi
from modelry.core.graphql.http.console import ASSETS_FOLDER, console_assets
from modelry.core.graphql.context import GraphQLSettings
from tests.browser.conftest import ConsoleServer

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class PageLinks(HTMLParser):
    """The src and href URLs of a page, and the nonce of each script."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.nonces: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") or values.get("href")
        if url:
            self.urls.append(url)
        if tag == "script" and values.get("nonce"):
            self.nonces[url or ""] = values["nonce"] or ""


def policy(header: str) -> dict[str, set[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(sources) for name, *sources in directives}


def test_page_refers_only_to_its_own_origin(console_server: ConsoleServer) -> None:
    """Every URL of the page is a path on the server (or a data: URL), and each asset answers
    200 with its content type, a year of caching and the vendored file's bytes."""
    page = console_server.server.client.get("/graphql")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = PageLinks(page.text)
    assets = [url for url in links.urls if not url.startswith("data:")]
    assert len(assets) == 8, links.urls  # 3 style sheets, 5 scripts
    for url in assets:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert parts.path.startswith(f"/graphql/static/{console_assets().version}/"), url
        answer = console_server.server.client.get(url)
        assert answer.status_code == 200, url
        name = parts.path.split("/", 4)[4]
        assert answer.headers["content-type"] == MEDIA_TYPES[Path(name).suffix], url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.content == (ASSETS_FOLDER / name).read_bytes(), url


def test_page_sends_a_content_security_policy_of_its_own_origin(
        console_server: ConsoleServer) -> None:
    """Scripts, styles and requests from 'self' only; no inline script, no eval; the one inline
    style allowed carries a nonce new on every page, handed over by console.js."""
    first, second = (console_server.server.client.get("/graphql") for _ in range(2))
    rules = policy(first.headers["content-security-policy"])
    [(script, nonce)] = PageLinks(first.text).nonces.items()
    assert script.endswith("/console.js")
    assert rules["default-src"] == {"'none'"}
    assert rules["script-src"] == {"'self'"}
    assert rules["style-src"] == {"'self'", f"'nonce-{nonce}'"}
    assert rules["connect-src"] == {"'self'"}
    assert rules["font-src"] == rules["img-src"] == {"'self'", "data:"}
    assert rules["frame-ancestors"] == rules["base-uri"] == rules["form-action"] == {"'none'"}
    assert "unsafe" not in first.headers["content-security-policy"]
    assert first.headers["cache-control"] == "no-store"
    assert second.headers["content-security-policy"] != first.headers["content-security-policy"]


@pytest.mark.parametrize("name", [
    "nothing-here.js", "graphiql/LICENSE", "VERSIONS", "%2e%2e/console.py",
    "..%2F..%2Fstatic_assets.py", "%2Fetc%2Fpasswd", "react//react.production.min.js"])
def test_other_files_answer_404(console_server: ConsoleServer, name: str) -> None:
    """Names outside the served scripts and style sheets (licences, '..', absolute paths)
    answer 404 with the error envelope."""
    version = console_assets().version
    answer = console_server.server.client.get(f"/graphql/static/{version}/{name}")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_another_version_answers_404(console_server: ConsoleServer) -> None:
    """A URL of another release is not answered with this release's file."""
    answer = console_server.server.client.get("/graphql/static/0123456789abcdef/console.js")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_graphiql_switched_off_serves_no_assets(console_server: ConsoleServer) -> None:
    """With `graphiql: false` the console's files are gone too."""
    client = TestClient(build_asgi(console_server.app, GraphQLSettings(graphiql=False)))
    answer = client.get(f"/graphql/static/{console_assets().version}/console.js")
    assert answer.status_code == 404


def test_vendored_files_are_the_pinned_npm_copies() -> None:
    """Each vendored file has the size and sha256 VERSIONS records (scripts/vendor_graphiql.sh
    writes both), and each vendored package's folder holds its licence."""
    lines = (ASSETS_FOLDER / "VERSIONS").read_text().splitlines()
    entries = [line.split() for line in lines if line and not line.startswith("#")]
    assert {package.rsplit("@", 1)[0] for package, *_ in entries} == {
        "react", "react-dom", "graphiql", "@graphiql/plugin-explorer"}
    for _, name, size, sha256 in entries:
        body = (ASSETS_FOLDER / name).read_bytes()
        assert (len(body), hashlib.sha256(body).hexdigest()) == (int(size), sha256), name
    for folder in {Path(name).parent for _, name, *_ in entries}:
        assert (ASSETS_FOLDER / folder / "LICENSE").is_file(), folder
