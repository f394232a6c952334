"""Reading the admin's forms in tests: what a browser would send back, and what it shows."""
from __future__ import annotations

import html
import re
from typing import Any

from modelry import directives
from tests.admin.conftest import Site


def form_values(page: str) -> dict[str, str]:
    """The name → value pairs a browser would post from the page's form (the CSRF token
    and version included; unchecked boxes and disabled inputs left out)."""
    form = page.split('<form class="edit"', 1)[-1].split("</form>", 1)[0] \
        if '<form class="edit"' in page else page.split('<form class="confirm"', 1)[1]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or " disabled" in tag:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form,
                                 re.S):
        values[name] = html.unescape(text)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form,
                                    re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = chosen.group(1) if chosen else ""
    return values


def field_error(page: str, name: str) -> str | None:
    """The error shown under input `name`, or None."""
    found = re.search(rf'<p class="error" id="f-{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def shop(site: Site, code: str) -> Any:
    """Shop `code` as stored (read as back-end code), or None."""
    with directives.scope(), site.app.transaction(readonly=True):
        return site.app.data.query_one("demo.PetShop", filters={"code": code})
