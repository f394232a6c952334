"""Reading the admin's forms in tests: what a browser would send back, and what it shows."""
from __future__ import annotations

import html
import re
from typing import Any

from modelry import directives
from tests.admin.conftest import Site


def form_values(page: str) -> dict[str, Any]:
    """The name → value pairs a browser would post from the page's form (the CSRF token
    and version included; unchecked boxes and disabled inputs left out); a name posted more
    than once (a many-to-many's choices) maps to the list of its values."""
    form = page.split('<form class="edit"', 1)[-1].split("</form>", 1)[0] \
        if '<form class="edit"' in page else page.split('<form class="confirm"', 1)[1]
    pairs: list[tuple[str, str]] = []
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or " disabled" in tag:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        pairs.append((name.group(1), html.unescape(value.group(1)) if value else ""))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form,
                                 re.S):
        pairs.append((name, html.unescape(text)))
    for tag, options in re.findall(r'(<select[^>]*>)(.*?)</select>', form, re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None:
            continue
        chosen = re.findall(r'<option value="([^"]*)" selected>', options)
        if " multiple" in tag:
            pairs.extend((name.group(1), value) for value in chosen)
        else:
            pairs.append((name.group(1), chosen[0] if chosen else ""))
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name in values:
            known = values[name]
            values[name] = [*known, value] if isinstance(known, list) else [known, value]
        else:
            values[name] = value
    return values


def field_error(page: str, name: str) -> str | None:
    """The error shown under input `name`, or None."""
    found = re.search(rf'<p class="error" id="f-{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def shop(site: Site, code: str) -> Any:
    """Shop `code` as stored (read as back-end code), or None."""
    with directives.scope(), site.app.transaction(readonly=True):
        return site.app.data.query_one("demo.PetShop", filters={"code": code})
