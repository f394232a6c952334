"""GraphiQL in a real browser: it loads and runs queries with no request leaving the server's
origin (offline, under the page's Content-Security-Policy)."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleServer, Visit

README = Path(__file__).parents[2] / "README.md"
USERS_QUERY = "{ userQuery { queryPage(page: {size: 3}) { content { login } } } }"


def readme_query() -> str:
    """The query of the README's quick start (its curl command)."""
    found = re.search(r'"query": "(\{ petShopQuery[^"]*)"', README.read_text())
    assert found, "the README's quick start has no petShopQuery curl command"
    return found.group(1)


def replace_text(page: Page, editor: str, text: str) -> None:
    """Replace the text of the CodeMirror editor inside `editor` as a paste would."""
    page.locator(f"{editor} .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def run(page: Page, query: str) -> None:
    """Type `query` into GraphiQL's query editor and press its run button."""
    replace_text(page, ".graphiql-query-editor", query)
    page.locator("button.graphiql-execute-button").click()


def test_readme_query_runs_with_nothing_from_elsewhere(console_server: ConsoleServer,
                                                        visit: Visit) -> None:
    """The README's query, run in GraphiQL, shows the demo shops; every request stays on the
    server's origin, every POST is JSON, and the console logs no error."""
    visit.page.goto(f"{console_server.url}/graphql")
    run(visit.page, readme_query())
    result = visit.page.locator(".result-window")
    expect(result).to_contain_text('"totalElements": 5')
    expect(result).to_contain_text('"name": "Pet shop 1"')
    assert visit.foreign_requests(console_server.url) == []
    posts = [r for r in visit.requests if r.method == "POST"]
    assert posts and {r.headers["content-type"] for r in posts} == {"application/json"}
    assert visit.errors == []


def test_headers_editor_sends_the_authorization_header(console_server: ConsoleServer,
                                                       visit: Visit) -> None:
    """A bearer token typed in GraphiQL's Headers tab authorizes the query: an admin reads the
    users, which anonymous callers may not."""
    visit.page.goto(f"{console_server.url}/graphql")
    run(visit.page, USERS_QUERY)
    expect(visit.page.locator(".result-window")).to_contain_text("ACCESS_DENIED")

    headers = f'{{"Authorization": "Bearer {console_server.admin_token}"}}'
    visit.page.get_by_role("button", name="Headers", exact=True).click()
    replace_text(visit.page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", headers)
    visit.page.locator("button.graphiql-execute-button").click()
    expect(visit.page.locator(".result-window")).to_contain_text('"login": "root"')
    last = [r for r in visit.requests if r.method == "POST"][-1]
    assert last.headers["authorization"] == f"Bearer {console_server.admin_token}"
    assert visit.foreign_requests(console_server.url) == []
    assert visit.errors == []


def test_dialogs_open_under_the_content_security_policy(console_server: ConsoleServer,
                                                        visit: Visit) -> None:
    """The settings dialog inserts a <style> element: its nonce lets it past the page's
    policy (a refused style would log a console error), as do the docs and explorer panes."""
    visit.page.goto(f"{console_server.url}/graphql")
    for label in ("Show Documentation Explorer", "Show GraphiQL Explorer"):
        visit.page.get_by_label(label).click()
    expect(visit.page.get_by_text("petShopQuery").first).to_be_visible()
    visit.page.get_by_label("Open settings dialog").click()
    expect(visit.page.get_by_role("dialog")).to_be_visible()
    assert visit.errors == []
    assert visit.foreign_requests(console_server.url) == []
